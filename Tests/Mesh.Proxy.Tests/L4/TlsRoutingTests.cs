using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Gateway;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.L4.L4Snapshots;

namespace Mesh.Proxy.Tests.L4;

/// <summary>
/// TLS the proxy does not terminate, routed by SNI (a sidecar's TLS binding: Istio's egress by
/// SNI), TLS origination for a plaintext TCP binding (DestinationRule tls SIMPLE), and an inbound
/// TCP port that passes an app's own TLS through.
/// </summary>
public sealed class TlsRoutingTests
{
    private const int TlsPort = 8443;

    [Fact]
    public async Task A_tls_binding_routes_by_sni_and_closes_unknown_or_missing_names()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var a = TcpBackend.TlsLineEcho("a", TestCertificates.Server(null, "a.test"));
        await using var b = TcpBackend.TlsLineEcho("b", TestCertificates.Server(null, "x.b.test"));
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("*", TlsPort, "TLS"));
        var clusterA = $"outbound|{TlsPort}||a.test";
        var clusterB = $"outbound|{TlsPort}||*.b.test";
        await bed.ApplyAsync(Snapshot(
            "v1",
            [
                External("a.test", To(clusterA).WithSni("a.test")),
                External("*.b.test", To(clusterB).WithSni("*.b.test")),
            ],
            TcpCluster(clusterA, a.Port),
            TcpCluster(clusterB, b.Port)));
        var port = proxy.OutboundPort("*");

        await using (var client = await TlsTestClient.ConnectAsync(port, "a.test"))
        {
            Assert.Equal("a hi", await client.ExchangeLineAsync("hi"));
            Assert.Equal("CN=a.test", client.ServerCertificate!.Subject);
        }

        await using (var client = await TlsTestClient.ConnectAsync(port, "x.b.test"))
        {
            Assert.Equal("b hi", await client.ExchangeLineAsync("hi"));
        }

        Assert.True(await TlsTestClient.HandshakeFailsAsync(port, "c.test"));
        Assert.True(await TlsTestClient.HandshakeFailsAsync(port, sni: null));
        Assert.Equal(1, a.Accepted);
        Assert.Equal(1, b.Accepted);
    }

    [Fact]
    public async Task A_destination_rule_originates_tls_for_a_plaintext_tcp_binding_and_checks_the_server()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var ca = TestCertificates.CreateCa("db-ca");
        await using var database = TcpBackend.TlsLineEcho("db", TestCertificates.Server(ca, "db.test"));
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("db", 5432, "TCP").Outbound("db-wrong-name", 5432, "TCP"));
        var good = TcpCluster("outbound|5432||db.default.svc.cluster.local", database.Port);
        good.Tls = new UpstreamTls { Mode = UpstreamTls.Types.Mode.Simple, Sni = "db.test", CaCertificatesPem = TestCertificates.CertificatePem(ca) };
        var wrong = TcpCluster("outbound|5432||db-wrong-name.default.svc.cluster.local", database.Port);
        wrong.Tls = new UpstreamTls { Mode = UpstreamTls.Types.Mode.Simple, Sni = "db.test", CaCertificatesPem = TestCertificates.CertificatePem(ca) };
        wrong.Tls.SubjectAltNames.Add("other.test");
        await bed.ApplyAsync(Snapshot(
            "v1",
            [Service("db", 5432, Protocol.Tcp, To(good.Name)), Service("db-wrong-name", 5432, Protocol.Tcp, To(wrong.Name))],
            good,
            wrong));

        await using (var client = await TcpTestClient.ConnectAsync(proxy.OutboundPort("db")))
        {
            await client.SendAsync("select 1\n");
            Assert.Equal("db select 1", await client.ReadLineAsync());
        }

        Assert.Equal(ReadOutcome.Reset, await TcpTestClient.OutcomeOfConnectionAsync(proxy.OutboundPort("db-wrong-name"), "select 1\n"));
    }

    [Fact]
    public async Task An_inbound_tcp_port_forwards_plaintext_and_the_apps_own_tls_to_the_app()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var plainApp = TcpBackend.LineEcho("app");
        await using var tlsApp = TcpBackend.TlsLineEcho("tls-app", TestCertificates.Server(null, "app.test"));
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address)
            .Inbound("app", "tcp", 9000, plainApp.Port, "TCP")
            .Inbound("app", "tls", 9443, tlsApp.Port, "TLS"));
        await bed.ApplyAsync(new ProxySnapshot { Version = "v1" });

        await using (var client = await TcpTestClient.ConnectAsync(proxy.Port(Core.Listeners.ListenerKind.Inbound, 0)))
        {
            await client.SendAsync("hi\n");
            Assert.Equal("app hi", await client.ReadLineAsync());
        }

        // No mesh ALPN: the TLS is the app's, passed through untouched (PERMISSIVE).
        await using var tls = await TlsTestClient.ConnectAsync(proxy.Port(Core.Listeners.ListenerKind.Inbound, 1), "app.test");
        Assert.Equal("tls-app hi", await tls.ExchangeLineAsync("hi"));
        Assert.Equal("CN=app.test", tls.ServerCertificate!.Subject);
    }

    private static L4Listener External(string host, params L4FilterChain[] chains)
    {
        var listener = new L4Listener { Name = $"{host}:{TlsPort}", Port = TlsPort, Protocol = Protocol.Tls };
        listener.Hosts.Add(host);
        listener.FilterChains.Add(chains);
        return listener;
    }
}
