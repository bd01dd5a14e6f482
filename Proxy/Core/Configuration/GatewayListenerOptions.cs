namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// One ingress listener. It serves the virtual hosts of Gateway servers whose port number is
/// <see cref="ServicePort"/> or <see cref="Port"/> (Istio's ingress Service maps 80 to 8080,
/// and Gateway resources name either).
/// </summary>
public sealed class GatewayListenerOptions
{
    /// <summary>Local port to listen on (0 picks a free port).</summary>
    public int Port { get; set; }

    /// <summary>The Gateway resource port number served here; defaults to <see cref="Port"/>.</summary>
    public int ServicePort { get; set; }

    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.HTTP;
}
