using System.Net;
using static Mesh.Testing.Certificates.TestCertificates;
using static Mesh.Proxy.Tests.Gateway.GatewaySnapshots;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary><c>tls.httpsRedirect</c> on an HTTP server: Envoy's require_tls, a 301 to the same URL over https.</summary>
public sealed class GatewayHttpsRedirectTests
{
    [Fact]
    public async Task Plaintext_requests_are_redirected_to_https_and_served_there()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var http = HttpServer("bookinfo-gateway.default/http", 80, ["*"], httpsRedirect: true);
        var https = HttpsServer("bookinfo-gateway.default/https", 443, ["*"], Server(null, "bookinfo.example.com"));
        await gateway.ApplyAsync(
            "1",
            [
                HostOf(http, ["bookinfo.example.com"], To(GatewayFixture.ClusterA)),
                HostOf(https, ["bookinfo.example.com"], To(GatewayFixture.ClusterA)),
            ],
            http,
            https);

        var plain = await gateway.HttpGetAsync(gateway.HttpPort, "bookinfo.example.com", "/productpage?u=normal&x=%2F");
        Assert.Equal(HttpStatusCode.MovedPermanently, plain.StatusCode);
        Assert.Equal("https://bookinfo.example.com/productpage?u=normal&x=%2F", plain.Headers.Location!.OriginalString);

        // A Host with a port names the gateway's TLS listener instead (locally 8080 -> 8443).
        var withPort = await gateway.HttpGetAsync(gateway.HttpPort, $"bookinfo.example.com:{gateway.HttpPort}", "/productpage", HttpMethod.Post);
        Assert.Equal(HttpStatusCode.MovedPermanently, withPort.StatusCode);
        Assert.Equal($"https://bookinfo.example.com:{gateway.HttpsPort}/productpage", withPort.Headers.Location!.OriginalString);

        // Hosts of the server that no VirtualService serves are redirected too (Istio adds a virtual host for them).
        var unrouted = await gateway.HttpGetAsync(gateway.HttpPort, "other.example.com", "/");
        Assert.Equal(HttpStatusCode.MovedPermanently, unrouted.StatusCode);
        Assert.Equal("https://other.example.com/", unrouted.Headers.Location!.OriginalString);

        using var tls = new GatewayTlsClient(gateway.HttpsPort);
        var secure = await tls.GetAsync("bookinfo.example.com", "/productpage");
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal(1, gateway.A.RequestCount);
    }

    [Fact]
    public async Task Turning_the_redirect_off_serves_plaintext_again_at_once()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var redirecting = HttpServer("gw.default/http", 80, ["*"], httpsRedirect: true);
        await gateway.ApplyAsync("1", [HostOf(redirecting, ["*"], To(GatewayFixture.ClusterA))], redirecting);
        Assert.Equal(HttpStatusCode.MovedPermanently, (await gateway.HttpGetAsync(gateway.HttpPort, "any.example.com", "/")).StatusCode);

        var plain = HttpServer("gw.default/http", 80, ["*"]);
        await gateway.ApplyAsync("2", [HostOf(plain, ["*"], To(GatewayFixture.ClusterA))], plain);

        var response = await gateway.HttpGetAsync(gateway.HttpPort, "any.example.com", "/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
    }
}
