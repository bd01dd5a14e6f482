namespace Mesh.Proxy.Core.Configuration;

/// <summary>One service port of the local workload: a sidecar inbound listener forwarding to the app.</summary>
public sealed class InboundPortOptions
{
    public string Name { get; set; } = "http";

    /// <summary>The service port callers name (Bookinfo: 9080).</summary>
    public int Port { get; set; }

    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.HTTP;

    /// <summary>The inbound listener port (0 picks a free port; the bound port is registered).</summary>
    public int ListenPort { get; set; }

    /// <summary>The app's own port on <see cref="MeshProxyOptions.AppAddress"/>.</summary>
    public int TargetPort { get; set; }
}
