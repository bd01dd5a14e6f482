using System.Net;
using System.Net.Sockets;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Tests.Gateway;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Mesh.Proxy.Tests.L4.L4Snapshots;

namespace Mesh.Proxy.Tests.L4;

/// <summary>
/// Gateway servers served at L4: TCP, TLS PASSTHROUGH by SNI next to HTTPS termination on one port,
/// AUTO_PASSTHROUGH by Istio's outbound_ SNI, SIMPLE termination in front of TCP, and listeners
/// opened live for ports no configured listener serves (a port that cannot be bound is reported).
/// </summary>
public sealed class GatewayL4Tests
{
    [Fact]
    public async Task A_tcp_server_on_a_configured_listener_forwards_to_its_weighted_clusters()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var one = TcpBackend.LineEcho("one");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 31400));
        var server = Server("tcp-echo-gateway.default/tcp", 31400, Protocol.Tcp);
        var listener = new L4Listener { Name = "gateway:31400", Port = 31400, Protocol = Protocol.Tcp };
        listener.FilterChains.Add(To(ClusterName("tcp-echo", 9000, "v1")).ForServer(server.Name));
        await bed.ApplyAsync(Snapshot("v1", [listener], TcpCluster(ClusterName("tcp-echo", 9000, "v1"), one.Port)).WithServers(server));

        await using var client = await TcpTestClient.ConnectAsync(gateway.Port(ListenerKind.Gateway));
        await client.SendAsync("world\n");
        Assert.Equal("one world", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Passthrough_by_sni_and_https_termination_share_a_port_and_unknown_names_are_closed()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var nginx = TcpBackend.TlsLineEcho("nginx", TestCertificates.Server(null, "nginx.example.com"));
        await using var web = await bed.BackendAsync("web");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 443));
        var passthrough = Server("mygateway.default/tls", 443, Protocol.Https, GatewayTls.Types.Mode.Passthrough, "nginx.example.com");
        var https = GatewaySnapshots.HttpsServer("mygateway.default/https", 443, ["web.example.com"], TestCertificates.Server(null, "web.example.com"));
        var listener = new L4Listener { Name = "gateway:443", Port = 443, Protocol = Protocol.Tls };
        listener.FilterChains.Add(To("outbound|443||my-nginx.default.svc.cluster.local").WithSni("nginx.example.com").ForServer(passthrough.Name));
        var snapshot = Snapshot("v1", [listener], TcpCluster("outbound|443||my-nginx.default.svc.cluster.local", nginx.Port), TestSnapshots.Cluster(TestSnapshots.ClusterName("web", 80), web))
            .WithServers(passthrough, https);
        snapshot.VirtualHosts.Add(GatewaySnapshots.HostOf(https, ["web.example.com"], TestSnapshots.To(TestSnapshots.ClusterName("web", 80))));
        await bed.ApplyAsync(snapshot);
        var port = gateway.Port(ListenerKind.Gateway);

        await using (var client = await TlsTestClient.ConnectAsync(port, "nginx.example.com"))
        {
            // The backend's own certificate: the gateway did not terminate.
            Assert.Equal("CN=nginx.example.com", client.ServerCertificate!.Subject);
            Assert.Equal("nginx hi", await client.ExchangeLineAsync("hi"));
        }

        using var https11 = new GatewayTlsClient(port);
        using var response = await https11.Client.GetAsync("https://web.example.com/hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CN=web.example.com", https11.LastServerCertificate!.Subject);

        Assert.True(await TlsTestClient.HandshakeFailsAsync(port, "other.example.com"));
        Assert.Equal(1, nginx.Accepted);
    }

    [Fact]
    public async Task Auto_passthrough_takes_the_cluster_from_the_outbound_sni()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var v1 = TcpBackend.TlsLineEcho("v1", TestCertificates.Server(null, "tcp-echo.default.svc.cluster.local"));
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 15443));
        var server = Server("cross-network.default/tls", 15443, Protocol.Tls, GatewayTls.Types.Mode.AutoPassthrough, "*.local");
        var listener = new L4Listener { Name = "gateway:15443", Port = 15443, Protocol = Protocol.Tls };
        listener.FilterChains.Add(new L4FilterChain { Name = "auto", GatewayServer = server.Name, AutoPassthrough = true, SniHosts = { "*.local" } });
        await bed.ApplyAsync(Snapshot("v1", [listener], TcpCluster(ClusterName("tcp-echo", 9000, "v1"), v1.Port)).WithServers(server));
        var port = gateway.Port(ListenerKind.Gateway);

        await using (var client = await TlsTestClient.ConnectAsync(port, "outbound_.9000_.v1_.tcp-echo.default.svc.cluster.local"))
        {
            Assert.Equal("v1 hi", await client.ExchangeLineAsync("hi"));
        }

        Assert.True(await TlsTestClient.HandshakeFailsAsync(port, "outbound_.9000_.v9_.tcp-echo.default.svc.cluster.local"));
        Assert.True(await TlsTestClient.HandshakeFailsAsync(port, "tcp-echo.default.svc.cluster.local"));
    }

    [Fact]
    public async Task A_tls_server_terminates_in_front_of_a_tcp_backend()
    {
        await using var bed = await MeshTestBed.StartAsync();
        await using var database = TcpBackend.LineEcho("db");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 9443));
        var certificate = TestCertificates.Server(null, "db.example.com");
        var server = GatewaySnapshots.HttpsServer("db-gateway.default/tls", 9443, ["db.example.com"], certificate);
        server.Protocol = Protocol.Tls;
        var listener = new L4Listener { Name = "gateway:9443", Port = 9443, Protocol = Protocol.Tcp };
        listener.FilterChains.Add(To("outbound|5432||db.default.svc.cluster.local").ForServer(server.Name));
        await bed.ApplyAsync(Snapshot("v1", [listener], TcpCluster("outbound|5432||db.default.svc.cluster.local", database.Port)).WithServers(server));

        await using var client = await TlsTestClient.ConnectAsync(gateway.Port(ListenerKind.Gateway), "db.example.com");
        Assert.Equal("CN=db.example.com", client.ServerCertificate!.Subject);
        Assert.Equal("db select", await client.ExchangeLineAsync("select"));
    }

    [Fact]
    public async Task A_server_on_a_port_without_a_listener_opens_one_live_and_a_taken_port_is_reported_and_retried()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var time = new FakeTimeProvider();
        await using var one = TcpBackend.LineEcho("one");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(servicePort: 80), s => s.AddSingleton<TimeProvider>(time));
        var free = TcpRelayTests.FreePort();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var cluster = ClusterName("tcp-echo", 9000);
        var open = Server("tcp.default/open", free, Protocol.Tcp);
        var blocked = Server("tcp.default/blocked", taken, Protocol.Tcp);
        await bed.ApplyAsync(Snapshot("v1", [GatewayTcp(free, cluster, open.Name), GatewayTcp(taken, cluster, blocked.Name)], TcpCluster(cluster, one.Port)).WithServers(open, blocked));

        // The taken port is reported to the control plane; the free one serves.
        var report = await bed.ControlPlane.WaitForAsync(
            "a listener failure report",
            r => r.Message.KindCase == ProxyMessage.KindOneofCase.ListenerStatus && r.Message.ListenerStatus.Failures.Count == 1);
        var failure = report.Message.ListenerStatus.Failures[0];
        Assert.Equal((uint)taken, failure.Port);
        Assert.Equal("address already in use", failure.Error);
        Assert.Equal(["tcp.default/blocked"], failure.GatewayServers);
        Assert.Equal("one hi", await EchoWhenOpenAsync(free));

        // Freed, the port is bound at the next retry.
        squatter.Stop();
        time.Advance(TimeSpan.FromSeconds(10));
        await bed.ControlPlane.WaitForAsync(
            "the failure cleared",
            r => r.Message.KindCase == ProxyMessage.KindOneofCase.ListenerStatus && r.Message.ListenerStatus.Failures.Count == 0);
        Assert.Equal("one hi", await EchoWhenOpenAsync(taken));

        // A port no server names any more is closed.
        await bed.ApplyAsync(Snapshot("v2", [GatewayTcp(taken, cluster, blocked.Name)], TcpCluster(cluster, one.Port)).WithServers(blocked));
        await Poll.UntilAsync($"port {free} is closed", async () => !await CanConnectAsync(free));
    }

    private static L4Listener GatewayTcp(int port, string cluster, string server)
    {
        var listener = new L4Listener { Name = $"gateway:{port}", Port = (uint)port, Protocol = Protocol.Tcp };
        listener.FilterChains.Add(To(cluster).ForServer(server));
        return listener;
    }

    private static async Task<string?> EchoWhenOpenAsync(int port)
    {
        // Kestrel binds a live listener in the background once the snapshot is applied.
        await Poll.UntilAsync($"port {port} listens", () => CanConnectAsync(port));
        await using var client = await TcpTestClient.ConnectAsync(port);
        await client.SendAsync("hi\n");
        return await client.ReadLineAsync();
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
