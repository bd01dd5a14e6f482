using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>
/// ServiceEntry egress (MESH_EXTERNAL hosts) through the sidecar, with the snapshots the control
/// plane builds for DNS and STATIC resolution, under ALLOW_ANY and REGISTRY_ONLY.
/// </summary>
public sealed class EgressTests
{
    [Fact]
    public async Task Dns_service_entry_is_reachable_through_the_catch_all_listener_even_with_REGISTRY_ONLY()
    {
        const string dnsName = "localhost"; // resolved by the system resolver when connecting, as a DNS endpoint is
        await using var bed = await MeshTestBed.StartAsync();
        var external = await bed.BackendAsync("external-httpbin");
        var unknown = await bed.BackendAsync("unknown");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).HttpProxy());
        var (host, cluster) = ServiceEntry("httpbin.example.com", 80, dnsName, external.Port, dns: true);
        await bed.ApplyAsync(Snapshot("1", [host], [cluster], registryOnly: true));
        using var app = TestHttp.CreateProxiedClient(proxy.Port(ListenerKind.HttpProxy));

        var response = await app.GetAsync("http://httpbin.example.com/headers");
        var blocked = await app.GetAsync($"http://127.0.0.1:{unknown.Port}/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("external-httpbin", await response.Content.ReadAsStringAsync());
        Assert.Equal("httpbin.example.com", Assert.Single(external.Requests).Host); // the caller's authority is kept
        Assert.Equal(HttpStatusCode.BadGateway, blocked.StatusCode);
        Assert.Equal(0, unknown.RequestCount);
        Assert.Equal("outbound|80||httpbin.example.com", (await proxy.Observer.ForPathAsync("/headers")).Cluster);
    }

    [Fact]
    public async Task Static_service_entry_endpoints_are_balanced_through_an_outbound_listener()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var first = await bed.BackendAsync("legacy-1");
        var second = await bed.BackendAsync("legacy-2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("api.legacy.internal", 8080));
        var (host, cluster) = ServiceEntry("api.legacy.internal", 8080, "127.0.0.1", first.Port, dns: false);
        cluster.Endpoints.Add(new Endpoint { Address = "127.0.0.1", Port = (uint)second.Port });
        cluster.LoadBalancer = new LoadBalancer { Simple = LoadBalancer.Types.Simple.RoundRobin };
        await bed.ApplyAsync(Snapshot("1", [host], [cluster]));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("api.legacy.internal"), "/"))).StatusCode);
        }

        Assert.Equal((5, 5), (first.RequestCount, second.RequestCount));
    }

    [Fact]
    public async Task External_host_gets_the_route_policies_of_its_virtual_service()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var calls = 0;
        var external = await bed.BackendAsync("external", context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).HttpProxy());
        var (host, cluster) = ServiceEntry("api.example.com", 80, "localhost", external.Port, dns: true);
        host.Routes[0].WithRetries(1, "5xx").Route_.Timeout = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5));
        await bed.ApplyAsync(Snapshot("1", [host], [cluster], registryOnly: true));
        using var app = TestHttp.CreateProxiedClient(proxy.Port(ListenerKind.HttpProxy));

        var response = await app.GetAsync("http://api.example.com/status");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, external.RequestCount);
        Assert.Equal(2, (await proxy.Observer.ForPathAsync("/status")).Attempts);
    }

    /// <summary>What the control plane sends for a MESH_EXTERNAL ServiceEntry port: a virtual host for its host and a cluster of its endpoints.</summary>
    private static (VirtualHost Host, Cluster Cluster) ServiceEntry(string hostname, int port, string endpointAddress, int endpointPort, bool dns)
    {
        var name = $"outbound|{port}||{hostname}";
        var host = new VirtualHost { Name = $"{hostname}:{port}", Port = (uint)port, Domains = { hostname, $"{hostname}:{port}" } };
        host.Routes.Add(To(name));
        var cluster = new Cluster
        {
            Name = name,
            Service = hostname,
            Port = (uint)port,
            Protocol = Protocol.Http,
            External = true,
            DnsResolution = dns,
            Endpoints = { new Endpoint { Address = endpointAddress, Port = (uint)endpointPort } },
        };
        return (host, cluster);
    }
}
