using System.Net;
using Mesh.Contracts.Snapshots;
using static Mesh.Testing.Certificates.TestCertificates;
using static Mesh.Proxy.Tests.Gateway.GatewaySnapshots;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>MUTUAL gateway servers: client certificates are required and verified against the server's CA certificates.</summary>
public sealed class GatewayMutualTlsTests
{
    [Fact]
    public async Task A_client_certificate_from_the_servers_ca_is_required()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var clientCa = CreateCa("client-ca");
        var otherCa = CreateCa("other-ca");
        var server = HttpsServer("gw.default/mtls", 443, ["secure.example.com"], Server(null, "secure.example.com"), GatewayTls.Types.Mode.Mutual, clientCa);
        await gateway.ApplyAsync("1", [HostOf(server, ["secure.example.com"], To(GatewayFixture.ClusterA))], server);
        using var trusted = new GatewayTlsClient(gateway.HttpsPort, Client(clientCa, "good-client"));
        using var foreign = new GatewayTlsClient(gateway.HttpsPort, Client(otherCa, "foreign-client"));
        using var anonymous = new GatewayTlsClient(gateway.HttpsPort);

        var response = await trusted.GetAsync("secure.example.com", "/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        await Assert.ThrowsAsync<HttpRequestException>(() => foreign.GetAsync("secure.example.com", "/"));
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync("secure.example.com", "/"));
        Assert.Equal(1, gateway.A.RequestCount);
    }

    [Fact]
    public async Task Subject_alt_names_narrow_the_accepted_client_certificates()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var clientCa = CreateCa("client-ca");
        var server = HttpsServer("gw.default/mtls", 443, ["secure.example.com"], Server(null, "secure.example.com"), GatewayTls.Types.Mode.Mutual, clientCa);
        server.Tls.SubjectAltNames.Add("spiffe://partner.example/ns/shop/sa/checkout");
        await gateway.ApplyAsync("1", [HostOf(server, ["secure.example.com"], To(GatewayFixture.ClusterA))], server);
        using var listed = new GatewayTlsClient(gateway.HttpsPort, Client(clientCa, "checkout", uri: "spiffe://partner.example/ns/shop/sa/checkout"));
        using var unlisted = new GatewayTlsClient(gateway.HttpsPort, Client(clientCa, "billing", dnsName: "billing.partner.example"));

        Assert.Equal(HttpStatusCode.OK, (await listed.GetAsync("secure.example.com", "/")).StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => unlisted.GetAsync("secure.example.com", "/"));
    }

    [Fact]
    public async Task Requiring_client_certificates_later_closes_connections_that_presented_none()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var clientCa = CreateCa("client-ca");
        var certificate = Server(null, "secure.example.com");
        var simple = HttpsServer("gw.default/https", 443, ["secure.example.com"], certificate);
        await gateway.ApplyAsync("1", [HostOf(simple, ["secure.example.com"], To(GatewayFixture.ClusterA))], simple);
        using var anonymous = new GatewayTlsClient(gateway.HttpsPort, reuseConnections: true);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("secure.example.com", "/")).StatusCode);

        var mutual = HttpsServer("gw.default/https", 443, ["secure.example.com"], certificate, GatewayTls.Types.Mode.Mutual, clientCa);
        await gateway.ApplyAsync("2", [HostOf(mutual, ["secure.example.com"], To(GatewayFixture.ClusterA))], mutual);

        // The kept-alive connection was accepted without a client certificate: it is closed, not served.
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync("secure.example.com", "/"));
        Assert.Equal(1, gateway.A.RequestCount);
    }
}
