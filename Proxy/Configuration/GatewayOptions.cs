namespace Mesh.Proxy.Configuration;

public sealed class GatewayOptions
{
    public List<GatewayListenerOptions> Listeners { get; set; } = [];
}
