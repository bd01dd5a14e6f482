using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>Envoy's x-envoy-upstream-rq-timeout-ms: honoured from the local app only, never forwarded.</summary>
public sealed class TimeoutOverrideTests
{
    private static readonly string Ratings = ClusterName("ratings", 9080);

    [Fact]
    public async Task The_local_app_can_shorten_or_impose_a_timeout_on_its_outbound_listener()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            await context.Response.WriteAsync("slow");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("ratings", 9080));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings))], [Cluster(Ratings, backend)])); // no route timeout
        var url = TestHttp.Local(proxy.OutboundPort("ratings"), "/override");

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("x-envoy-upstream-rq-timeout-ms", "100");
        var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(ResponseFlags.UpstreamRequestTimeout, (await proxy.Observer.ForPathAsync("/override")).Flags);
        Assert.Equal("slow", await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/plain")));
        await Poll.UntilAsync("both requests reached the backend", () => backend.Requests.Count == 2);
        Assert.All(backend.Requests, r => Assert.False(r.Headers.ContainsKey("x-envoy-upstream-rq-timeout-ms"), "the header is consumed"));
    }

    [Fact]
    public async Task Callers_on_inbound_and_gateway_listeners_cannot_change_timeouts()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("ratings", async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await context.Response.WriteAsync("patient");
        });
        var sidecar = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "ratings-sidecar", workload: "ratings-v1").Inbound("ratings", "http", 9080, app.Port));
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address, nodeId: "gateway").GatewayListener(80));
        var ingress = new VirtualHost { Name = "ratings:80", Port = 80, Domains = { "*" }, Routes = { To(Ratings) } };
        await bed.ApplyAsync(Snapshot("1", [ingress], [Cluster(Ratings, app)]), "ratings-sidecar", "gateway");

        foreach (var port in new[] { sidecar.Port(ListenerKind.Inbound), gateway.Port(ListenerKind.Gateway) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(port, "/"));
            request.Headers.Add("x-envoy-upstream-rq-timeout-ms", "50");
            request.Headers.Add("x-envoy-upstream-rq-per-try-timeout-ms", "50");
            var response = await bed.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("patient", await response.Content.ReadAsStringAsync());
        }

        Assert.All(app.Requests, r => Assert.False(r.Headers.ContainsKey("x-envoy-upstream-rq-timeout-ms")));
    }

    [Fact]
    public async Task Zero_disables_the_route_timeout_for_this_request()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("ratings", async context =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await context.Response.WriteAsync("done");
        });
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).HttpProxy());
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("ratings", 9080, To(Ratings).WithTimeout(TimeSpan.FromMilliseconds(100)))], [Cluster(Ratings, backend)]));
        using var app = TestHttp.CreateProxiedClient(proxy.Port(ListenerKind.HttpProxy));

        var limited = await app.GetAsync("http://ratings:9080/");
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://ratings:9080/");
        request.Headers.Add("x-envoy-upstream-rq-timeout-ms", "0");
        var unlimited = await app.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, limited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unlimited.StatusCode);
    }
}
