using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Security.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Security.Tests.Vm;

/// <summary>
/// Two networks on 127.0.0.1 (issue 14): the mesh's workloads are on <c>net-a</c>
/// (<c>ControlPlane:Network</c>), a VM's WorkloadEntry on <c>net-b</c>, whose east-west gateway is
/// the gateway program labelled <c>topology.istio.io/network: net-b</c> with Istio's cross-network
/// Gateway (15443, AUTO_PASSTHROUGH, <c>*.local</c>). productpage's sidecar reaches the VM only
/// through that gateway, with mTLS end to end: the gateway forwards by the <c>outbound_</c> SNI
/// without terminating, so the VM sees productpage's identity and productpage verified the VM's.
/// </summary>
public sealed class EastWestGatewayTests : IAsyncLifetime
{
    private const string Details = "details.default.svc.cluster.local";

    /// <summary>Istio's cross-network Gateway, as the repository ships it (docs/vm.md, section 5).</summary>
    private static readonly string CrossNetworkGateway = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples", "multicluster", "expose-services.yaml"));

    // Istio's samples/multicluster/expose-istiod.yaml, with a TCP server: Mesh's discovery port is h2c.
    private const string ExposeControlPlane = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: istiod-gateway, namespace: istio-system}
        spec:
          selector: {istio: eastwestgateway}
          servers:
          - port: {number: 15012, name: tcp-istiod, protocol: TCP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: istiod-vs, namespace: istio-system}
        spec:
          hosts: ["*"]
          gateways: [istiod-gateway]
          tcp:
          - match: [{port: 15012}]
            route: [{destination: {host: istiod.istio-system.svc.cluster.local, port: {number: 15012}}}]
        """;

    private readonly InboundRecorder _vmInbound = new();
    private readonly SniRecorder _gatewaySessions = new();
    private TestControlPlane _controlPlane = null!;
    private TestWorkload _vm = null!;
    private ProxyHost _gateway = null!;
    private TestWorkload _productpage = null!;

    public async Task InitializeAsync()
    {
        _controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?> { ["ControlPlane:Network"] = "net-a" });
        _vm = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("vmhost", "vm")
        {
            ServiceAccount = "details-vm",
            ConfigureServices = services => services.AddSingleton<IMeshRequestObserver>(_vmInbound),
        });
        var gateway = ProxySettings.Gateway(_controlPlane.GrpcUri.ToString(), "istio-eastwestgateway", "istio-eastwestgateway")
            .Identity("istio-system", "istio-eastwestgateway-service-account", ("istio", "eastwestgateway"), ("topology.istio.io/network", "net-b"))
            .Token(_controlPlane.TokenFor("istio-eastwestgateway-service-account", "istio-eastwestgateway", "istio-system"))
            .GatewayListener(15443)
            .GatewayListener(15012);
        _gateway = await ProxyHost.StartAsync(gateway, _gatewaySessions.AddTo);
        _productpage = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("productpage") { Upstreams = [Details] });
    }

    public async Task DisposeAsync()
    {
        await _productpage.DisposeAsync();
        await _gateway.DisposeAsync();
        await _vm.DisposeAsync();
        await _controlPlane.DisposeAsync();
    }

    private string Entry(string network) => $$"""
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-vm, namespace: default}
        spec:
          address: 127.0.0.1
          network: {{network}}
          labels: {app: details, version: vm}
          ports: {http: {{_vm.InboundPort}}}
          serviceAccount: details-vm
        """;

    private const string DetailsService = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: details, namespace: default}
        spec:
          hosts: [details.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP}]
          workloadSelector: {labels: {app: details}}
        """;

    [Fact]
    public async Task A_sidecar_reaches_an_endpoint_on_another_network_only_through_its_gateway_with_mtls_end_to_end()
    {
        await _controlPlane.ApplyAsync(TestMesh.Documents(Entry("net-b") + "\n", DetailsService + "\n", CrossNetworkGateway));
        var gatewayPort = _gateway.Port(ListenerKind.Gateway);
        await _productpage.WaitForSnapshotAsync("details through net-b's gateway", s => s.Clusters.Any(c => c.Endpoints.Any(e => e.NetworkGateway && e.Port == gatewayPort)));
        var cluster = _productpage.Snapshot!.Clusters.First(c => c.Service == "details.default.svc.cluster.local" && c.Subset == "" && c.Port == 9080);
        var endpoint = Assert.Single(cluster.Endpoints);
        Assert.Equal(("127.0.0.1", (uint)gatewayPort, "net-b"), (endpoint.Address, endpoint.Port, endpoint.Network));
        Assert.Equal(["spiffe://cluster.local/ns/default/sa/details-vm"], endpoint.Identities);

        using var client = TestHttp.CreateClient(pooled: false);
        var last = "";
        await Poll.UntilAsync("productpage reaches the VM through the gateway", async () =>
        {
            var r = await client.GetAsync(_productpage.Outbound(Details, "/details/0"));
            last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            return last == "200 vmhost-vm";
        }, () => last);

        // The VM saw productpage's own identity: the gateway did not terminate the mTLS.
        var seen = _vmInbound.Requests.First(r => r.Status == 200);
        Assert.Equal(_productpage.SpiffeId, seen.Peer);
        Assert.Contains(_gatewaySessions.Sessions, s => s.Sni == "outbound_.9080_._.details.default.svc.cluster.local" && s.Cluster == "outbound|9080||details.default.svc.cluster.local");

        // A name the gateway does not know is refused: no route, no upstream connection.
        Assert.True(await HandshakeFailsAsync(gatewayPort, "outbound_.9080_._.nosuch.default.svc.cluster.local"));
    }

    [Fact]
    public async Task An_endpoint_on_a_network_without_a_gateway_is_dropped_and_one_on_the_callers_network_is_direct()
    {
        await _controlPlane.ApplyAsync(TestMesh.Documents(Entry("net-c") + "\n", DetailsService + "\n", CrossNetworkGateway));
        await _productpage.WaitForSnapshotAsync("details without endpoints", s => s.Clusters.Any(c => c.Service == "details.default.svc.cluster.local" && c.Endpoints.Count == 0));

        await _controlPlane.ApplyAsync(TestMesh.Documents(Entry("net-a") + "\n", DetailsService + "\n", CrossNetworkGateway));
        await _productpage.WaitForSnapshotAsync("details direct", s => s.Clusters.Any(c => c.Service == "details.default.svc.cluster.local" && c.Endpoints.Any(e => !e.NetworkGateway && e.Port == _vm.InboundPort)));
        using var client = TestHttp.CreateClient(pooled: false);
        var response = await client.GetAsync(_productpage.Outbound(Details, "/details/0"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(_gatewaySessions.Sessions, s => s.Cluster?.Contains("details", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_proxy_bootstraps_through_the_gateway_that_exposes_the_control_plane()
    {
        // The control plane is on net-a: net-a's east-west gateway exposes it.
        var sessions = new SniRecorder();
        var settings = ProxySettings.Gateway(_controlPlane.GrpcUri.ToString(), "istio-eastwestgateway-a", "istio-eastwestgateway")
            .Identity("istio-system", "istio-eastwestgateway-service-account", ("istio", "eastwestgateway"), ("topology.istio.io/network", "net-a"))
            .Token(_controlPlane.TokenFor("istio-eastwestgateway-service-account", "istio-eastwestgateway-a", "istio-system"))
            .GatewayListener(15012);
        await using var gateway = await ProxyHost.StartAsync(settings, sessions.AddTo);
        await _controlPlane.ApplyAsync(ExposeControlPlane);
        await gateway.WaitForSnapshotAsync("the istiod route", s => s.Clusters.Any(c => c.Name == "outbound|15012||istiod.istio-system.svc.cluster.local" && c.Endpoints.Count == 1));
        var exposed = gateway.Port(ListenerKind.Gateway);

        // The "VM" knows only the gateway: its certificate (CA) and its snapshots (discovery) come through it.
        var vmSettings = ProxySettings.Sidecar($"http://127.0.0.1:{exposed}", "details-vm2", "details-vm2")
            .Identity("default", "details-vm", ("app", "details"), ("version", "vm2"))
            .Token(_controlPlane.TokenFor("details-vm", "details-vm2"));
        await using var vm = await ProxyHost.StartAsync(vmSettings);
        await vm.WaitReadyAsync();

        Assert.Equal("spiffe://cluster.local/ns/default/sa/details-vm", vm.Identity.Certificate?.Identity.Uri);
        Assert.Contains(sessions.Sessions, s => s.Cluster == "outbound|15012||istiod.istio-system.svc.cluster.local");
        // net-b's gateway cannot reach the control plane on net-a, and sidecars get no cluster for it
        // (it is exported to its own namespace only).
        await _gateway.WaitForSnapshotAsync("the istiod route without endpoints", s => s.Clusters.Any(c => c.Name == "outbound|15012||istiod.istio-system.svc.cluster.local" && c.Endpoints.Count == 0));
        Assert.DoesNotContain(_productpage.Snapshot!.Clusters, c => c.Service.StartsWith("istiod.", StringComparison.Ordinal));
    }

    private static async Task<bool> HandshakeFailsAsync(int port, string sni)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = sni });
            return false;
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            return true;
        }
    }

    /// <summary>The server name and cluster of every connection the gateway forwarded.</summary>
    private sealed class SniRecorder : ITcpSessionObserver
    {
        public ConcurrentQueue<(string? Sni, string? Cluster)> Sessions { get; } = new();

        public void AddTo(IServiceCollection services)
        {
            services.AddSingleton(this);
            services.AddSingleton(new NetworkStageRegistration(NetworkStage.Observers, typeof(SniRecorder), "test"));
        }

        public void OnOpened(TcpProxySession session) => Sessions.Enqueue((session.RequestedServerName, session.ClusterName));

        public void OnClosed(TcpProxySession session)
        {
        }
    }
}
