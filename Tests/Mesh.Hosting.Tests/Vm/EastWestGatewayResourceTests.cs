using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.ApplicationModel;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Proxy.Core.Listeners;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Http;
using Mesh.Testing.Proxy;
using Mesh.Testing.Workloads;

namespace Mesh.Hosting.Tests.Vm;

/// <summary>
/// <c>AddMeshEastWestGateway</c> (docs/vm.md §5): the gateway program as Istio's east-west gateway of
/// the control plane's network, its environment and the configuration it applies; and, on real
/// sockets, a proxy on another network that bootstraps over TLS through the resource's gateway (15012) and
/// calls a workload of the mesh's network through it (15443) with mTLS end to end.
/// </summary>
public sealed class EastWestGatewayResourceTests : IDisposable
{
    private readonly TemporaryDirectory _root = new();
    private int _nextPort = 21000;

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_gateway_runs_the_gateway_program_labelled_for_its_network_on_loopback_by_default()
    {
        var (builder, mesh) = CreateMesh();
        var gateway = builder.AddMeshEastWestGateway("istio-eastwestgateway", mesh, "net-a");
        Allocate(builder);

        var controlPlane = await EnvironmentOf(mesh.Resource);
        Assert.Equal(("net-a", "0"), (controlPlane["ControlPlane__Network"], controlPlane["ControlPlane__DiscoveryTls__Port"]));
        var env = await EnvironmentOf(gateway.Resource);
        Assert.Equal("Gateway", env["Mesh__Mode"]);
        Assert.Equal(("istio-eastwestgateway", "istio-system", "istio-eastwestgateway-service-account"), (env["Mesh__Node__Id"], env["Mesh__Node__Namespace"], env["Mesh__Node__ServiceAccount"]));
        Assert.Equal(("eastwestgateway", "istio-eastwestgateway", "net-a"), (env["Mesh__Node__Labels__istio"], env["Mesh__Node__Labels__app"], env["Mesh__Node__Labels__topology.istio.io/network"]));
        Assert.Equal(("127.0.0.1", "127.0.0.1"), (env["Mesh__BindAddress"], env["Mesh__Node__Address"]));
        Assert.Equal(("15443", "15443"), (env["Mesh__Gateway__Listeners__0__Port"], env["Mesh__Gateway__Listeners__0__ServicePort"]));
        Assert.Equal(("15012", "15012"), (env["Mesh__Gateway__Listeners__1__Port"], env["Mesh__Gateway__Listeners__1__ServicePort"]));
        Assert.Equal($"http://127.0.0.1:{Port(mesh.Resource, "grpc")}", env["Mesh__ControlPlane__Address"]);
        Assert.Equal(Port(gateway.Resource, "admin"), env["Mesh__AdminPort"]);
        Assert.Contains("\"sub\":\"system:serviceaccount:istio-system:istio-eastwestgateway-service-account\"", Claims(env["Mesh__ControlPlane__Token"]), StringComparison.Ordinal);

        var args = await ArgumentsOf(gateway.Resource);
        Assert.Equal("exec", args[0]);
        Assert.EndsWith("Mesh.Gateway.dll", args[1], StringComparison.Ordinal);
        Assert.All(gateway.Resource.Annotations.OfType<EndpointAnnotation>(), e => Assert.Equal(("localhost", false), (e.TargetHost, e.IsProxied)));
        Assert.Equal([15443, 15012], gateway.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.Port is not null).Select(e => e.Port!.Value));
    }

    [Fact]
    public async Task WithBindAddress_moves_the_listeners_and_the_address_other_networks_reach_and_refuses_what_is_no_single_address()
    {
        var (builder, mesh) = CreateMesh();
        var gateway = builder.AddMeshEastWestGateway("istio-eastwestgateway", mesh, "net-a", port: 25443, controlPlanePort: 25012)
            .WithBindAddress("10.252.14.1");
        Allocate(builder);

        var env = await EnvironmentOf(gateway.Resource);
        Assert.Equal(("10.252.14.1", "10.252.14.1"), (env["Mesh__BindAddress"], env["Mesh__Node__Address"]));
        Assert.Equal(("25443", "15443", "25012", "15012"), (env["Mesh__Gateway__Listeners__0__Port"], env["Mesh__Gateway__Listeners__0__ServicePort"], env["Mesh__Gateway__Listeners__1__Port"], env["Mesh__Gateway__Listeners__1__ServicePort"]));
        Assert.All(gateway.Resource.Annotations.OfType<EndpointAnnotation>(), e => Assert.Equal("10.252.14.1", e.TargetHost));

        Assert.Contains("must be an IP address (got 'bridge')", Assert.Throws<ArgumentException>(() => gateway.WithBindAddress("bridge")).Message, StringComparison.Ordinal);
        Assert.Contains("not '0.0.0.0'", Assert.Throws<ArgumentException>(() => gateway.WithBindAddress("0.0.0.0")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_gateway_for_another_network_is_refused_the_control_plane_serves_one()
    {
        var (builder, mesh) = CreateMesh();
        builder.AddMeshEastWestGateway("istio-eastwestgateway", mesh, "net-a");

        var error = Assert.Throws<DistributedApplicationException>(() => builder.AddMeshEastWestGateway("eastwest-b", mesh, "net-b", port: 25443, controlPlanePort: 25012));
        Assert.Equal("The control plane 'controlplane' is already on network 'net-a': an east-west gateway serves the control plane's network, so 'eastwest-b' cannot serve 'net-b'.", error.Message);
    }

    [Fact]
    public async Task A_proxy_on_another_network_bootstraps_and_calls_the_mesh_through_the_resources_gateway()
    {
        var (builder, mesh) = CreateMesh();
        var gateway = builder.AddMeshEastWestGateway("istio-eastwestgateway", mesh, "net-a");
        Allocate(builder);
        var controlPlaneEnv = await EnvironmentOf(mesh.Resource);

        // The real control plane with the AppHost's bootstrap key and network, its admin token where the hosting reads it.
        await File.WriteAllTextAsync(Path.Combine(mesh.Resource.DataDirectory, "admin-token"), TestControlPlaneOptions.DefaultAdminToken);
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            Root = _root.Combine("controlplane"),
            DataDirectory = mesh.Resource.DataDirectory,
            BootstrapKey = (await File.ReadAllTextAsync(controlPlaneEnv["ControlPlane__Security__BootstrapKeyFile"])).Trim(),
            Settings = new Dictionary<string, string?>
            {
                ["ControlPlane:Network"] = controlPlaneEnv["ControlPlane__Network"],
                ["ControlPlane:DiscoveryTls:Port"] = controlPlaneEnv["ControlPlane__DiscoveryTls__Port"],
            },
        });
        Allocate(mesh.Resource, "admin", controlPlane.AdminUri.Port);
        Allocate(mesh.Resource, "grpc", controlPlane.GrpcUri.Port);

        // The gateway with the resource's environment; only its ports are the OS's (15443 and 15012 may be taken here).
        var env = await EnvironmentOf(gateway.Resource);
        var settings = ProxySettings.Gateway(env["Mesh__ControlPlane__Address"], env["Mesh__Node__Id"], env["Mesh__Node__Workload"]);
        foreach (var (key, value) in env.Where(e => e.Key.StartsWith("Mesh__", StringComparison.Ordinal)))
        {
            var setting = key.Replace("__", ":", StringComparison.Ordinal);
            settings.With(setting, setting == "Mesh:AdminPort" || setting.StartsWith("Mesh:Gateway:Listeners:", StringComparison.Ordinal) && setting.EndsWith(":Port", StringComparison.Ordinal) ? "0" : value);
        }

        await using var eastWest = await ProxyHost.StartAsync(settings);
        var applied = await MeshEastWestGatewayBuilderExtensions.ApplyConfigAsync(gateway.Resource, CancellationToken.None);
        Assert.True(applied.Succeeded, applied.Message);
        foreach (var name in new[] { "gateway/istio-system/cross-network-gateway", "gateway/istio-system/istiod-gateway", "virtualservice/istio-system/istiod-vs" })
        {
            Assert.True((await controlPlane.Admin.GetAsync($"/api/v1/config/{name}")).IsSuccessStatusCode, $"{name} is applied (meshctl get shows it)");
        }

        await eastWest.WaitForSnapshotAsync("the istiod route", s => s.Clusters.Any(c => c.Name == "outbound|15012||istiod.istio-system.svc.cluster.local" && c.Endpoints.Count == 1));
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage"));

        // The "VM" on net-b knows only the gateway: certificate, snapshots and the call to productpage go through it.
        // The mesh root, as configure writes it into the VM's root-cert.pem: the control plane's TLS is verified against it.
        var root = Path.Combine(mesh.Resource.DataDirectory, "ca", "root-cert.pem");
        var vm = ProxySettings.Sidecar($"https://127.0.0.1:{eastWest.GatewayPort(15012)}", "details-vm", "details-vm")
            .With("Mesh:ControlPlane:RootCertFile", root)
            .Identity("default", "details-vm", ("app", "details"), ("version", "vm"))
            .With("Mesh:Node:Network", "net-b")
            .Token(controlPlane.MintToken("details-vm", "details-vm"))
            .Outbound("productpage.default.svc.cluster.local", 9080);
        await using var vmSidecar = await ProxyHost.StartAsync(vm);
        await vmSidecar.WaitReadyAsync();
        await vmSidecar.WaitForSnapshotAsync("productpage through net-a's gateway", s => s.Clusters.Any(c =>
            c.Service == "productpage.default.svc.cluster.local" && c.Endpoints.Any(e => e.NetworkGateway && e.Port == eastWest.GatewayPort(15443) && e.Network == "net-a")));

        using var client = TestHttp.CreateClient(pooled: false);
        var response = await client.GetAsync(vmSidecar.Outbound("productpage.default.svc.cluster.local", "/productpage"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        // mTLS end to end: productpage's sidecar saw the VM's own identity, not the gateway's.
        Assert.Contains("spiffe://cluster.local/ns/default/sa/details-vm", productpage.App!.Requests.Last(r => r.Path == "/productpage").Headers.GetValueOrDefault("x-forwarded-client-cert"), StringComparison.Ordinal);
    }

    private (IDistributedApplicationBuilder Builder, IResourceBuilder<MeshControlPlaneResource> Mesh) CreateMesh()
    {
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = [],
            DisableDashboard = true,
            AssemblyName = typeof(EastWestGatewayResourceTests).Assembly.GetName().Name,
        });
        var mesh = builder.AddMeshControlPlane("controlplane")
            .WithConfigDirectory(_root.Combine("config"))
            .WithDataDirectory(_root.Combine("data"));
        return (builder, mesh);
    }

    /// <summary>Allocates every endpoint as DCP would: its fixed port, else the next free test port.</summary>
    private void Allocate(IDistributedApplicationBuilder builder)
    {
        foreach (var resource in builder.Resources)
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                Allocate(resource, endpoint.Name, endpoint.Port ?? _nextPort++);
            }
        }
    }

    private static void Allocate(IResource resource, string endpointName, int port)
    {
        var endpoint = resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpointName);
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, endpoint.TargetHost, port, targetPortExpression: port.ToString(CultureInfo.InvariantCulture));
    }

    private static string Port(IResource resource, string endpoint) =>
        resource.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpoint).AllocatedEndpoint!.Port.ToString(CultureInfo.InvariantCulture);

#pragma warning disable CS0618 // the evaluation Aspire itself runs for a resource's environment and arguments
    private static async Task<Dictionary<string, string>> EnvironmentOf(IResourceWithEnvironment resource) =>
        await resource.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Run);

    private static async Task<string[]> ArgumentsOf(IResourceWithArgs resource) =>
        await resource.GetArgumentValuesAsync(DistributedApplicationOperation.Run);
#pragma warning restore CS0618

    private static string Claims(string token) =>
        System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]));
}
