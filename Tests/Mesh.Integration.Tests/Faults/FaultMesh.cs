using Mesh.Integration.Tests.Infrastructure;
using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.Faults;

/// <summary>
/// The fault suite's mesh: the real control plane, three reviews endpoints (v1, v2, v3, each an
/// app behind its sidecar) and Istio's ingress gateway routing <c>/reviews</c> to the reviews
/// service (a Gateway and a VirtualService, as Bookinfo's), with steady load through the gateway.
/// </summary>
internal sealed class FaultMesh : IAsyncDisposable
{
    public const string IngressYaml = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: ingress
        spec:
          selector:
            istio: ingressgateway
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        """;

    private FaultMesh(MeshTestCluster cluster, ProxyHost gateway, SteadyLoad load)
    {
        Cluster = cluster;
        Gateway = gateway;
        Load = load;
    }

    public MeshTestCluster Cluster { get; }

    public ProxyHost Gateway { get; }

    public SteadyLoad Load { get; }

    /// <summary>Every proxy the control plane must list SYNCED: the reviews sidecars, the client's and the gateway.</summary>
    public IReadOnlyCollection<string> ProxyIds => [.. Cluster.ProxyIds, MeshProxies.IngressId];

    /// <summary>Starts the mesh, routes the gateway to reviews, and starts the load once every endpoint served it.</summary>
    public static async Task<FaultMesh> StartAsync()
    {
        var cluster = await MeshTestCluster.StartAsync("v1", "v2", "v3");
        ProxyHost? gateway = null;
        try
        {
            gateway = await MeshProxies.StartIngressAsync(cluster.ControlPlane, 80);
            var generation = await cluster.ControlPlane.ApplyAsync(IngressYaml + "\n---\n" + Route());
            await cluster.ControlPlane.WaitForSyncedAtAsync(MeshProxies.IngressId, generation);
            var load = SteadyLoad.Start(new Uri($"http://127.0.0.1:{gateway.GatewayPort(80)}"));
            var mesh = new FaultMesh(cluster, gateway, load);
            await Poll.UntilAsync(
                "every reviews endpoint served the gateway's load",
                () => Task.FromResult(load.Served(0).Count == 3),
                load.Summary,
                budget: TimeSpan.FromSeconds(60));
            return mesh;
        }
        catch
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The gateway's route to reviews: every endpoint, or a weighted split between two subsets.</summary>
    public static string Route(params (string Subset, int Weight)[] split) =>
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: ingress-reviews
        spec:
          hosts: ["*"]
          gateways: [ingress]
          http:
          - match:
            - uri: {prefix: /reviews}
            route:

        """ + (split.Length == 0
            ? "    - destination: {host: reviews, port: {number: 9080}}\n"
            : string.Concat(split.Select(s => $"    - destination: {{host: reviews, port: {{number: 9080}}, subset: {s.Subset}}}\n      weight: {s.Weight}\n")));

    /// <summary>Waits until the control plane lists every proxy SYNCED again.</summary>
    public Task WaitForSyncedAsync() => Cluster.ControlPlane.WaitForSyncedAsync(ProxyIds, budget: TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        await Load.DisposeAsync();
        await Gateway.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
