using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>
/// A gateway wired as the AppHost runs it (listener 0: Gateway port 80, listener 1: HTTPS, Gateway
/// port 443) in front of backends "a", "b" and "c", on a fake control plane.
/// </summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    private GatewayFixture(MeshTestBed bed, ProxyHost gateway, TestBackend a, TestBackend b, TestBackend c)
    {
        Bed = bed;
        Proxy = gateway;
        A = a;
        B = b;
        C = c;
    }

    public static string ClusterA { get; } = ClusterName("a", 80);

    public static string ClusterB { get; } = ClusterName("b", 80);

    public static string ClusterC { get; } = ClusterName("c", 80);

    public MeshTestBed Bed { get; }

    public ProxyHost Proxy { get; }

    public TestBackend A { get; }

    public TestBackend B { get; }

    public TestBackend C { get; }

    public int HttpPort => Proxy.Port(ListenerKind.Gateway, 0);

    public int HttpsPort => Proxy.Port(ListenerKind.Gateway, 1);

    public static async Task<GatewayFixture> StartAsync(Action<ProxySettings>? configure = null)
    {
        var bed = await MeshTestBed.StartAsync();
        var settings = ProxySettings.Gateway(bed.ControlPlane.Address)
            .GatewayListener(servicePort: 80)
            .GatewayListener(servicePort: 443)
            .With("Mesh:Gateway:Listeners:1:Protocol", "HTTPS");
        configure?.Invoke(settings);
        return new GatewayFixture(
            bed,
            await bed.ProxyAsync(settings),
            await bed.BackendAsync("a"),
            await bed.BackendAsync("b"),
            await bed.BackendAsync("c"));
    }

    /// <summary>Pushes virtual hosts and servers (clusters a, b and c included) and waits for the ACK.</summary>
    public Task ApplyAsync(string version, Contracts.Snapshots.VirtualHost[] virtualHosts, params Contracts.Snapshots.GatewayServer[] servers) =>
        Bed.ApplyAsync(Snapshot(version, virtualHosts, [Cluster(ClusterA, A), Cluster(ClusterB, B), Cluster(ClusterC, C)]).WithServers(servers));

    /// <summary>GET over plaintext to a gateway listener with a chosen Host header.</summary>
    public Task<HttpResponseMessage> HttpGetAsync(int port, string host, string path, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, TestHttp.Local(port, path));
        request.Headers.Host = host;
        return Bed.Client.SendAsync(request);
    }

    public ValueTask DisposeAsync() => Bed.DisposeAsync();
}
