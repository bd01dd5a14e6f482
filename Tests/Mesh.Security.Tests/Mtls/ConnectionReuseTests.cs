using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Mesh.ControlPlane.Identity;
using Mesh.Proxy.Core.Identity;
using Mesh.Security.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Security.Tests.Mtls;

/// <summary>
/// What mesh mTLS between two sidecars costs in connections and handshakes, counted on the wire
/// by a relay between them (<see cref="TlsHandshakeRelay"/>): HTTP shares one HTTP/2 connection
/// per peer, so one handshake serves every request; L4 (TCP) needs a connection per caller
/// connection, and resumes the TLS session of the first one — but never across a rotated
/// certificate, and a resumed session is verified against the current trust bundle like a new one.
/// The client sidecar reaches the server sidecar through a ServiceEntry whose endpoint is the
/// relay, with DestinationRule ISTIO_MUTUAL naming the server's SPIFFE identity.
/// </summary>
public sealed class ConnectionReuseTests
{
    private const string Host = "relayed.example";

    [Fact]
    public async Task HTTP_requests_through_two_sidecars_share_one_connection_and_one_full_handshake_and_authz_sees_the_peer_on_each()
    {
        var inbound = new InboundRecorder();
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var reviews = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("reviews") { ConfigureServices = s => s.AddSingleton<Proxy.Core.Pipeline.IMeshRequestObserver>(inbound) });
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = [Host], WithApp = false });
        await using var relay = TlsHandshakeRelay.Start(reviews.InboundPort);
        await RouteThroughRelayAsync(controlPlane, productpage, reviews, relay, "HTTP");

        // Authorization is decided per request from the connection's peer: the same connection
        // carries allowed and denied requests.
        var principal = productpage.SpiffeId["spiffe://".Length..];
        await controlPlane.ApplyAsync($$"""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: reviews-allow, namespace: default}
            spec:
              selector: {matchLabels: {app: reviews} }
              action: ALLOW
              rules:
              - from: [{source: {principals: ["{{principal}}"] } }]
                to: [{operation: {paths: ["/allowed/*"] } }]
            """);
        await reviews.WaitForSnapshotAsync("the ALLOW policy", s => s.Inbound.Authorization.Any(a => a.Name == "reviews-allow.default"));

        using var client = TestHttp.CreateClient();
        const int Sequential = 20;
        for (var i = 0; i < Sequential; i++)
        {
            var path = i % 2 == 0 ? $"/allowed/{i}" : $"/denied/{i}";
            var response = await client.GetAsync(productpage.Outbound(Host, path));
            Assert.Equal(i % 2 == 0 ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.GetAsync(productpage.Outbound(Host, $"/allowed/c{i}"))));
        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        Assert.Equal(1, relay.Connections);
        Assert.Equal(1, relay.FullHandshakes);
        Assert.Equal(0, relay.ResumedHandshakes);
        var seen = inbound.Requests.ToList();
        Assert.Equal(Sequential + 20, seen.Count);
        Assert.All(seen, s => Assert.Equal("HTTP/2", s.Protocol));
        Assert.All(seen, s => Assert.Equal(productpage.SpiffeId, s.Peer));
        Assert.Single(seen.Select(s => s.Connection).Distinct());
        Assert.Equal(Sequential / 2, seen.Count(s => s.Status == 403));
    }

    [Fact]
    public async Task TCP_connections_through_two_sidecars_resume_the_first_session_and_never_across_a_rotated_certificate()
    {
        var sessions = new TcpSessionRecorder();
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var reviews = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("reviews") { Protocol = "TCP", ConfigureServices = sessions.AddTo });
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = [Host], Protocol = "TCP", WithApp = false });
        await using var relay = TlsHandshakeRelay.Start(reviews.InboundPort);
        await RouteThroughRelayAsync(controlPlane, productpage, reviews, relay, "TCP");
        var outbound = productpage.Sidecar.OutboundPort(Host);

        const int Connections = 5;
        for (var i = 0; i < Connections; i++)
        {
            Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(outbound), StringComparison.Ordinal);
        }

        Assert.Equal(Connections, relay.Connections);
        Assert.Equal("F" + new string('R', Connections - 1), relay.Sequence);
        var first = productpage.Identity.Certificate!;
        Assert.All(sessions.Sessions, s => Assert.Equal((productpage.SpiffeId, first.Leaf.Thumbprint), (s.Peer, s.CertificateThumbprint)));

        // A rotated client certificate: the next connection is a full handshake presenting it.
        var ca = controlPlane.Service<MeshCertificateAuthority>().Material.SigningCertificate;
        var rotated = TestCertificates.IssueLeaf(ca, uri: productpage.SpiffeId);
        productpage.Identity.Publish(new WorkloadCertificate(rotated, [], SpiffeIdentity.Parse(productpage.SpiffeId)!));
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(outbound), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(outbound), StringComparison.Ordinal);
        Assert.Equal("F" + new string('R', Connections - 1) + "FR", relay.Sequence);
        Assert.Equal([rotated.Thumbprint, rotated.Thumbprint], sessions.Sessions.Skip(Connections).Select(s => s.CertificateThumbprint));

        // A resumed session is verified against the current trust bundle on both sides: with the
        // mesh root gone from one side's bundle, the cached session does not get a connection through.
        using var foreign = TestCertificates.CreateCa("not the mesh CA");
        var foreignBundle = TrustBundle.Parse([foreign.ExportCertificatePem()], out _)!;
        await RefusedWhileResumingAsync(productpage.Identity, "client sidecar", foreignBundle, relay, outbound);
        await RefusedWhileResumingAsync(reviews.Identity, "server sidecar", foreignBundle, relay, outbound);
        Assert.All(sessions.Sessions, s => Assert.Equal(productpage.SpiffeId, s.Peer));
    }

    [Fact]
    public async Task A_WebSocket_rides_the_shared_HTTP2_connection_and_a_SPDY_upgrade_takes_HTTP1_with_a_resumed_session()
    {
        await using var app = await UpgradeEchoApp.StartAsync();
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var reviews = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("reviews") { AppPort = app.Port });
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = [Host], WithApp = false });
        await using var relay = TlsHandshakeRelay.Start(reviews.InboundPort);
        await RouteThroughRelayAsync(controlPlane, productpage, reviews, relay, "HTTP");
        // The client sidecar's TLS server name is the caller's Host (a name, not the endpoint's IP),
        // which is also what keys its connection pools and cached sessions: all three calls use it.
        using var client = TestHttp.CreateClient();
        using var plain = new HttpRequestMessage(HttpMethod.Get, productpage.Outbound(Host, "/plain"));
        plain.Headers.Host = Host;
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(plain)).StatusCode);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Host", Host);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{productpage.Sidecar.OutboundPort(Host)}/ws"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TestHttp.Timeout);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        // SPDY has no HTTP/2 form: it takes an HTTP/1.1 connection over mTLS, resuming the session.
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await raw.ConnectAsync(IPAddress.Loopback, productpage.Sidecar.OutboundPort(Host));
        await using var stream = new NetworkStream(raw, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /echo HTTP/1.1\r\nHost: {Host}\r\nConnection: Upgrade\r\nUpgrade: {UpgradeEchoApp.Protocol}\r\n\r\n"));
        var head = await ReadHeadAsync(stream);
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        await stream.WriteAsync("ping"u8.ToArray());
        var echoed = new byte[4];
        await stream.ReadExactlyAsync(echoed).AsTask().WaitAsync(TestHttp.Timeout);
        Assert.Equal("ping", Encoding.ASCII.GetString(echoed));

        Assert.Equal(2, app.Upgrades);
        Assert.Equal((2, 1, 1), (relay.Connections, relay.FullHandshakes, relay.ResumedHandshakes));
    }

    [Fact]
    public async Task With_DO_NOT_UPGRADE_HTTP1_connections_to_the_peer_resume_the_first_session()
    {
        // Requests under /gate/ wait until three are in flight, so HTTP/1.1 needs three connections.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        var inbound = new InboundRecorder();
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var reviews = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("reviews")
        {
            ConfigureServices = s => s.AddSingleton<Proxy.Core.Pipeline.IMeshRequestObserver>(inbound),
            Handler = async context =>
            {
                if (context.Request.Path.StartsWithSegments("/gate") && Interlocked.Increment(ref waiting) == 3)
                {
                    gate.SetResult();
                }

                await (context.Request.Path.StartsWithSegments("/gate") ? gate.Task : Task.CompletedTask);
                await context.Response.WriteAsync("reviews");
            },
        });
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = [Host], WithApp = false });
        await using var relay = TlsHandshakeRelay.Start(reviews.InboundPort);
        await RouteThroughRelayAsync(controlPlane, productpage, reviews, relay, "HTTP", "connectionPool: {http: {h2UpgradePolicy: DO_NOT_UPGRADE} }, ");

        // The Host is a name, as apps call services: it is the TLS server name sessions are cached by.
        using var client = TestHttp.CreateClient();
        async Task<HttpStatusCode> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, productpage.Outbound(Host, path));
            request.Headers.Host = Host;
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GetAsync("/first"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/second"));
        Assert.Equal((1, "F"), (relay.Connections, relay.Sequence));

        var gated = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => GetAsync($"/gate/{i}")));
        Assert.All(gated, status => Assert.Equal(HttpStatusCode.OK, status));
        // The first new connection resumes the session of the first; the other resumes too unless it
        // starts while .NET replaces the cached session with the tickets the resumed one just received
        // (one session per server name), then it is a full handshake — so only its count is certain.
        Assert.Equal(3, relay.Connections);
        Assert.Matches("^FR[RF]$", relay.Sequence);
        Assert.All(inbound.Requests, s => Assert.Equal(("HTTP/1.1", productpage.SpiffeId), (s.Protocol, s.Peer)));
        Assert.Equal(3, inbound.Requests.Select(s => s.Connection).Distinct().Count());
    }

    /// <summary>
    /// Rounds of: a good connection (which leaves a session in the client's cache), then
    /// <paramref name="side"/> loses the mesh root and the next connection — offering that session —
    /// must be refused; until a refused one had its session accepted (a resumed ServerHello). Rounds,
    /// because which connection resumes is up to .NET's client cache: it holds one session per server
    /// name, drops it when a handshake using it fails (the refused connection of the round before)
    /// and replaces it as tickets arrive, so a round can start with nothing to offer.
    /// </summary>
    private static async Task RefusedWhileResumingAsync(WorkloadIdentityState side, string name, TrustBundle foreign, TlsHandshakeRelay relay, int outbound)
    {
        var bundle = side.TrustBundle!;
        await Poll.UntilAsync(
            $"a resumed session refused by the {name}",
            async () =>
            {
                side.Publish(bundle);
                Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(outbound), StringComparison.Ordinal);
                side.Publish(foreign);
                var resumed = relay.ResumedHandshakes;
                Assert.Equal(string.Empty, await ExchangeAsync(outbound));
                return relay.ResumedHandshakes > resumed;
            },
            () => relay.ToString());
        side.Publish(bundle);
        Assert.StartsWith("HTTP/1.1 200", await ExchangeAsync(outbound), StringComparison.Ordinal);
    }

    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(TestHttp.Timeout);
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    /// <summary>A ServiceEntry for <see cref="Host"/> whose one endpoint is the relay, reached with mesh mTLS as the server's identity.</summary>
    private static async Task RouteThroughRelayAsync(TestControlPlane controlPlane, TestWorkload client, TestWorkload server, TlsHandshakeRelay relay, string protocol, string trafficPolicy = "")
    {
        await controlPlane.ApplyAsync($$"""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: relayed, namespace: default}
            spec:
              hosts: [{{Host}}]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 9080, name: main, protocol: {{protocol}}}]
              endpoints: [{address: 127.0.0.1, ports: {main: {{relay.Port}} } }]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: relayed, namespace: default}
            spec:
              host: {{Host}}
              trafficPolicy: {{{trafficPolicy}}tls: {mode: ISTIO_MUTUAL, subjectAltNames: ["{{server.SpiffeId}}"] } }
            """);
        await client.WaitForSnapshotAsync(
            $"{Host} through the relay with ISTIO_MUTUAL",
            s => s.Clusters.Any(c => c.Name == $"outbound|9080||{Host}" && c.Tls?.Mode == Contracts.Snapshots.UpstreamTls.Types.Mode.IstioMutual && c.Endpoints.Any(e => e.Port == relay.Port)));
    }

    /// <summary>One HTTP/1.1 request over a new TCP connection to the outbound TCP listener; the whole answer ("" when the connection was closed without one).</summary>
    private static async Task<string> ExchangeAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        try
        {
            return await reader.ReadToEndAsync().WaitAsync(TestHttp.Timeout);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
