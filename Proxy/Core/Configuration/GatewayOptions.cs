namespace Mesh.Proxy.Core.Configuration;

public sealed class GatewayOptions
{
    public List<GatewayListenerOptions> Listeners { get; set; } = [];

    /// <summary>
    /// On shutdown the gateway stops accepting connections at once and gives requests in flight
    /// this long to finish before they are cut (Kestrel's graceful shutdown; Istio's drain duration).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
