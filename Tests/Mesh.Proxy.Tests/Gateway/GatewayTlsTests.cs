using System.Net;
using System.Security.Authentication;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Testing.Certificates.TestCertificates;
using static Mesh.Proxy.Tests.Gateway.GatewaySnapshots;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>TLS termination at the gateway: SNI selects a server's certificate and routes, certificates change live.</summary>
public sealed class GatewayTlsTests
{
    [Fact]
    public async Task Sni_selects_the_certificate_and_the_routes_of_one_server_among_several()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var ca = CreateCa("gateway-test-ca");
        var serverA = HttpsServer("gw.default/https-a", 443, ["a.example.com"], Server(ca, "a.example.com"));
        var serverB = HttpsServer("gw.default/https-b", 443, ["*.b.example.com"], Server(ca, "*.b.example.com"));
        var fallback = HttpsServer("gw.default/https-any", 443, ["*"], Server(ca, "fallback.example.com"));
        await gateway.ApplyAsync(
            "1",
            [
                HostOf(serverA, ["a.example.com"], To(GatewayFixture.ClusterA)),
                HostOf(serverB, ["*.b.example.com"], To(GatewayFixture.ClusterB)),
                HostOf(fallback, ["*"], To(GatewayFixture.ClusterC)),
            ],
            serverA,
            serverB,
            fallback);
        using var client = new GatewayTlsClient(gateway.HttpsPort);

        Assert.Equal("a.example.com", await client.CertificateForAsync("a.example.com"));
        Assert.Equal("*.b.example.com", await client.CertificateForAsync("v1.api.b.example.com")); // a wildcard covers every name below it
        Assert.Equal("fallback.example.com", await client.CertificateForAsync("other.example.com"));
        Assert.Equal("fallback.example.com", await client.CertificateForAsync("127.0.0.1")); // no SNI: the "*" server

        Assert.Equal("a", await BodyAsync(await client.GetAsync("a.example.com", "/x")));
        Assert.Equal("b", await BodyAsync(await client.GetAsync("shop.b.example.com", "/x")));
        Assert.Equal("c", await BodyAsync(await client.GetAsync("other.example.com", "/x")));

        // A connection reaches only its server's routes, whatever Host it sends afterwards.
        Assert.Equal(404, await client.RawStatusAsync(sni: "a.example.com", host: "shop.b.example.com", path: "/x"));
        Assert.Equal(200, await client.RawStatusAsync(sni: "shop.b.example.com", host: "shop.b.example.com", path: "/x"));
        Assert.Equal(3, gateway.B.RequestCount);
    }

    [Fact]
    public async Task A_name_no_server_serves_fails_the_handshake_and_plaintext_does_not_reach_tls_routes()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var serverA = HttpsServer("gw.default/https-a", 443, ["a.example.com"], Server(null, "a.example.com"));
        await gateway.ApplyAsync("1", [HostOf(serverA, ["a.example.com"], To(GatewayFixture.ClusterA))], serverA);
        using var client = new GatewayTlsClient(gateway.HttpsPort);

        Assert.Equal("a", await BodyAsync(await client.GetAsync("a.example.com", "/")));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("other.example.com", "/"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("127.0.0.1", "/"));

        var plaintext = await gateway.HttpGetAsync(gateway.HttpsPort, "a.example.com", "/");
        Assert.Equal(HttpStatusCode.NotFound, plaintext.StatusCode);
        Assert.Equal(1, gateway.A.RequestCount);
    }

    [Fact]
    public async Task A_new_certificate_is_served_to_new_connections_without_rebinding_the_listener()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var ca = CreateCa("rotation-ca");
        var first = Server(ca, "a.example.com");
        var second = Server(ca, "a.example.com");
        var port = gateway.HttpsPort;
        var server = HttpsServer("gw.default/https", 443, ["a.example.com"], first);
        await gateway.ApplyAsync("1", [HostOf(server, ["a.example.com"], To(GatewayFixture.ClusterA))], server);
        using var client = new GatewayTlsClient(port);
        await client.CertificateForAsync("a.example.com");
        Assert.Equal(first.SerialNumber, client.LastServerCertificate!.SerialNumber);

        server = HttpsServer("gw.default/https", 443, ["a.example.com"], second);
        await gateway.ApplyAsync("2", [HostOf(server, ["a.example.com"], To(GatewayFixture.ClusterA))], server);

        Assert.Equal("a", await BodyAsync(await client.GetAsync("a.example.com", "/")));
        Assert.Equal(second.SerialNumber, client.LastServerCertificate!.SerialNumber);
        Assert.Equal(port, gateway.HttpsPort);
    }

    [Fact]
    public async Task A_malformed_certificate_is_nacked_naming_the_field_and_the_previous_one_keeps_serving()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var good = Server(null, "a.example.com");
        var server = HttpsServer("gw.default/https", 443, ["a.example.com"], good);
        await gateway.ApplyAsync("1", [HostOf(server, ["a.example.com"], To(GatewayFixture.ClusterA))], server);

        var broken = HttpsServer("gw.default/https", 443, ["a.example.com"], good, credentialName: "bookinfo-credential");
        broken.Tls.PrivateKeyPem = KeyPem(Server(null, "other.example.com")); // a key of another certificate
        gateway.Bed.ControlPlane.Push(Snapshot("2", [HostOf(broken, ["a.example.com"], To(GatewayFixture.ClusterA))], [Cluster(GatewayFixture.ClusterA, gateway.A)]).WithServers(broken));
        var nack = await gateway.Bed.ControlPlane.WaitForNackAsync("2");

        Assert.Contains("gateway_servers[0] (gw.default/https).tls.private_key_pem: credential 'bookinfo-credential': the private key is unreadable or does not match the certificate", nack.Message.Nack.Error, StringComparison.Ordinal);
        using var client = new GatewayTlsClient(gateway.HttpsPort);
        Assert.Equal("a", await BodyAsync(await client.GetAsync("a.example.com", "/")));
        Assert.Equal(good.SerialNumber, client.LastServerCertificate!.SerialNumber);
    }

    [Fact]
    public async Task A_missing_credential_refuses_tls_for_its_server_only_and_the_snapshot_is_acknowledged()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var http = HttpServer("gw.default/http", 80, ["*"]);
        var missing = HttpsServer("gw.default/https", 443, ["a.example.com"], certificate: null, credentialName: "not-there");
        var present = HttpsServer("gw.default/https-b", 443, ["b.example.com"], Server(null, "b.example.com"));
        await gateway.ApplyAsync(
            "1",
            [
                HostOf(http, ["*"], To(GatewayFixture.ClusterC)),
                HostOf(missing, ["a.example.com"], To(GatewayFixture.ClusterA)),
                HostOf(present, ["b.example.com"], To(GatewayFixture.ClusterB)),
            ],
            http,
            missing,
            present);
        using var client = new GatewayTlsClient(gateway.HttpsPort);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("a.example.com", "/"));
        Assert.Equal("b", await BodyAsync(await client.GetAsync("b.example.com", "/")));
        Assert.Equal("c", await BodyAsync(await gateway.HttpGetAsync(gateway.HttpPort, "a.example.com", "/")));

        var certs = await gateway.Bed.Client.GetStringAsync(TestHttp.Local(gateway.Proxy.AdminPort, "/certs"));
        Assert.Contains("the control plane found no certificate and key for credential 'not-there'", certs, StringComparison.Ordinal);
        Assert.Contains("CN=b.example.com", certs, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", certs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protocol_versions_are_limited_to_the_servers_range_and_alpn_offers_http2()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var modern = HttpsServer("gw.default/tls13", 443, ["new.example.com"], Server(null, "new.example.com"));
        modern.Tls.MinProtocolVersion = "TLSV1_3";
        var legacy = HttpsServer("gw.default/tls12", 443, ["old.example.com"], Server(null, "old.example.com"));
        legacy.Tls.MaxProtocolVersion = "TLSV1_2";
        await gateway.ApplyAsync(
            "1",
            [HostOf(modern, ["new.example.com"], To(GatewayFixture.ClusterA)), HostOf(legacy, ["old.example.com"], To(GatewayFixture.ClusterB))],
            modern,
            legacy);
        using var tls12 = new GatewayTlsClient(gateway.HttpsPort, protocols: SslProtocols.Tls12);
        using var tls13 = new GatewayTlsClient(gateway.HttpsPort, protocols: SslProtocols.Tls13);
        using var http2 = new GatewayTlsClient(gateway.HttpsPort, version: HttpVersion.Version20);

        await Assert.ThrowsAsync<HttpRequestException>(() => tls12.GetAsync("new.example.com", "/"));
        Assert.Equal("a", await BodyAsync(await tls13.GetAsync("new.example.com", "/")));
        await Assert.ThrowsAsync<HttpRequestException>(() => tls13.GetAsync("old.example.com", "/"));
        Assert.Equal("b", await BodyAsync(await tls12.GetAsync("old.example.com", "/")));

        var response = await http2.GetAsync("new.example.com", "/");
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("a", await BodyAsync(response));
        Assert.Equal("https", gateway.A.Requests.Last().Headers["x-forwarded-proto"]);
    }

    [Fact]
    public async Task An_https_server_without_a_tls_mode_is_rejected()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var modeless = HttpsServer("gw.default/https", 443, ["a.example.com"], null);
        modeless.Tls.Mode = GatewayTls.Types.Mode.None;
        gateway.Bed.ControlPlane.Push(Snapshot("1", [], []).WithServers(modeless));

        var nack = await gateway.Bed.ControlPlane.WaitForNackAsync("1");

        Assert.Contains("gateway_servers[0] (gw.default/https).tls.mode: a server of protocol HTTPS needs tls.mode PASSTHROUGH, AUTO_PASSTHROUGH, SIMPLE, MUTUAL or ISTIO_MUTUAL", nack.Message.Nack.Error, StringComparison.Ordinal);
    }

    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
