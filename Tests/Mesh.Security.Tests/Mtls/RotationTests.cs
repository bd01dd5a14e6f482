using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Mesh.Proxy.Security.Tls;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Mtls;

/// <summary>Workload certificates rotate at half their lifetime while traffic flows, and nothing fails.</summary>
public sealed class RotationTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Certificates_rotate_at_half_their_lifetime_under_load_without_a_failed_request()
    {
        await using var controlPlane = await SecureControlPlane.StartAsync();
        await using var reviews = await Workload.StartAsync(controlPlane, new WorkloadOptions("reviews") { CertificateLifetime = Lifetime });
        await using var productpage = await Workload.StartAsync(controlPlane, new WorkloadOptions("productpage") { Upstreams = ["reviews"], CertificateLifetime = Lifetime });
        await productpage.WaitForEndpointsAsync("reviews");
        var firstClient = productpage.Identity.Certificate!;
        var firstServer = reviews.Identity.Certificate!;

        // Two kinds of load for about three rotations: requests through the mesh (the sidecars keep
        // one HTTP/2 connection) and a new mTLS connection per request, handshaking with whatever
        // certificates are current on both sides at that moment — as the sidecar's own client does.
        var failures = new ConcurrentQueue<string>();
        var serverSerials = new ConcurrentDictionary<string, bool>();
        var meshRequests = 0;
        var freshRequests = 0;
        using var stop = new CancellationTokenSource(Lifetime * 2);
        using var meshClient = TestClients.Plain();
        meshClient.DefaultRequestVersion = HttpVersion.Version11;
        var freshHandler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero };
        UpstreamTlsConfigurator.Configure(
            new Dictionary<string, string> { [UpstreamTlsMetadata.Mode] = UpstreamTlsMetadata.IstioMutual, [UpstreamTlsMetadata.SubjectAltNames] = reviews.SpiffeId },
            freshHandler,
            productpage.Identity);
        using var freshClient = new HttpClient(freshHandler) { Timeout = TimeSpan.FromSeconds(10) };

        async Task MeshLoad()
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await meshClient.GetAsync(productpage.Outbound("reviews", "/reviews/1"));
                Interlocked.Increment(ref meshRequests);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"mesh: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        async Task FreshConnections()
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, reviews.Inbound("https", "/reviews/2"));
                request.Headers.ConnectionClose = true;
                try
                {
                    var response = await freshClient.SendAsync(request);
                    Interlocked.Increment(ref freshRequests);
                    serverSerials[reviews.Identity.Certificate!.Leaf.SerialNumber] = true;
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"fresh: {(int)response.StatusCode}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue($"fresh: {ex.Message} {ex.InnerException?.Message}");
                }
            }
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll([.. Enumerable.Range(0, 4).Select(_ => Task.Run(MeshLoad)), .. Enumerable.Range(0, 2).Select(_ => Task.Run(FreshConnections))]);

        Assert.Empty(failures);
        Assert.True(meshRequests > 50 && freshRequests > 20, $"too little load: {meshRequests} mesh, {freshRequests} fresh in {clock.Elapsed.TotalSeconds:0.0} s");

        // Both workloads rotated (at least twice in two lifetimes), and the server saw the client's new certificates.
        var clientHashes = reviews.Backend.Requests.Where(r => r.PathAndQuery == "/reviews/2")
            .Select(r => r.Headers["x-forwarded-client-cert"].Split(';')[1]).Distinct().Count();
        Assert.True(clientHashes >= 3, $"the server saw {clientHashes} distinct client certificates");
        Assert.True(serverSerials.Count >= 3, $"the server presented {serverSerials.Count} distinct certificates");
        Assert.NotEqual(firstClient.Leaf.SerialNumber, productpage.Identity.Certificate!.Leaf.SerialNumber);
        Assert.NotEqual(firstServer.Leaf.SerialNumber, reviews.Identity.Certificate!.Leaf.SerialNumber);
        Assert.True(firstClient.NotAfter < DateTimeOffset.UtcNow, "the first certificate should have expired during the run");
        Assert.Equal(firstClient.NotBefore + ((firstClient.NotAfter - firstClient.NotBefore) / 2), firstClient.RenewAt);
        Assert.InRange(firstClient.NotAfter - firstClient.NotBefore, Lifetime - TimeSpan.FromSeconds(1), Lifetime + TimeSpan.FromSeconds(1));
    }
}
