using System.Net;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using Mesh.Proxy.Tests.Traffic;
using static Mesh.Testing.Certificates.TestCertificates;
using static Mesh.Proxy.Tests.Gateway.GatewaySnapshots;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>
/// Ingress routing: hosts and paths pick VirtualService routes, unknown hosts get 404, and the
/// whole routing feature set (header matches, weighted splits, faults) works at the gateway,
/// over plaintext and TLS alike — it is the sidecar's pipeline.
/// </summary>
public sealed class GatewayRoutingTests
{
    [Fact]
    public async Task Hosts_and_paths_select_routes_and_unknown_hosts_get_404()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var http = HttpServer("gw.default/http", 80, ["bookinfo.example.com", "*.api.example.com"]);
        await gateway.ApplyAsync(
            "1",
            [
                HostOf(http, ["bookinfo.example.com"], To(GatewayFixture.ClusterA, "productpage", UriPrefix("/productpage")), To(GatewayFixture.ClusterB, "static", UriPrefix("/static"))),
                HostOf(http, ["*.api.example.com"], To(GatewayFixture.ClusterC)),
            ],
            http);

        Assert.Equal("a", await BodyAsync(await gateway.HttpGetAsync(gateway.HttpPort, "bookinfo.example.com", "/productpage")));
        Assert.Equal("b", await BodyAsync(await gateway.HttpGetAsync(gateway.HttpPort, "bookinfo.example.com", "/static/app.css")));
        Assert.Equal("c", await BodyAsync(await gateway.HttpGetAsync(gateway.HttpPort, "v2.api.example.com", "/anything")));
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.HttpGetAsync(gateway.HttpPort, "bookinfo.example.com", "/admin")).StatusCode);

        var unknown = await gateway.HttpGetAsync(gateway.HttpPort, "unknown.example.com", "/productpage?from=unknown");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(1, gateway.A.RequestCount);
        await Poll.UntilAsync("the unknown host recorded as 404 NR without a virtual host", () => gateway.Proxy.Observer.Requests.Any(r => r.Status == 404 && r.Flags == ResponseFlags.NoRouteFound && r.VirtualHost is null));
    }

    [Fact]
    public async Task Header_matches_weighted_splits_and_faults_apply_at_the_gateway_over_tls()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var https = HttpsServer("gw.default/https", 443, ["shop.example.com"], Server(null, "shop.example.com"));
        await gateway.ApplyAsync(
            "1",
            [
                HostOf(
                    https,
                    ["shop.example.com"],
                    To(GatewayFixture.ClusterB, "jason", HeaderExact("end-user", "jason")),
                    To(GatewayFixture.ClusterC, "broken", UriPrefix("/broken")).WithAbort(503),
                    Split("split", (GatewayFixture.ClusterA, 50), (GatewayFixture.ClusterB, 50))),
            ],
            https);
        using var tls = new GatewayTlsClient(gateway.HttpsPort, reuseConnections: true);

        var jason = new HttpRequestMessage(HttpMethod.Get, $"https://shop.example.com:{gateway.HttpsPort}/");
        jason.Headers.Add("end-user", "jason");
        Assert.Equal("b", await BodyAsync(await tls.Client.SendAsync(jason)));

        var fault = await tls.GetAsync("shop.example.com", "/broken");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fault.StatusCode);
        Assert.Equal(0, gateway.C.RequestCount);

        var served = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0 };
        for (var i = 0; i < 200; i++)
        {
            served[await BodyAsync(await tls.GetAsync("shop.example.com", "/"))]++;
        }

        // 50/50 over 200 requests: far outside [60, 140] would mean the split is not applied.
        Assert.InRange(served["a"], 60, 140);
        Assert.InRange(served["b"], 60, 140);
    }

    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
