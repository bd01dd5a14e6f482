using System.Collections.Concurrent;
using System.Net;
using Mesh.Proxy.Security.Tls;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Mtls;

/// <summary>
/// Workload certificates rotate at half their lifetime while traffic flows, and nothing fails. Each
/// sidecar runs on a fake clock the test moves to the renewal time; the CA signs on the real clock,
/// so every certificate is valid for the real TLS handshakes under load.
/// </summary>
public sealed class RotationTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    [Fact]
    public async Task Certificates_rotate_at_half_their_lifetime_under_load_without_a_failed_request()
    {
        var reviewsClock = new TestClock();
        var productpageClock = new TestClock();
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var reviews = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("reviews") { CertificateLifetime = Lifetime, Clock = reviewsClock });
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = ["reviews"], CertificateLifetime = Lifetime, Clock = productpageClock });
        await productpage.WaitForEndpointsAsync("reviews");
        var firstClient = productpage.Identity.Certificate!;
        var firstServer = reviews.Identity.Certificate!;
        Assert.Equal(firstClient.NotBefore + ((firstClient.NotAfter - firstClient.NotBefore) / 2), firstClient.RenewAt);
        Assert.InRange(firstClient.NotAfter - firstClient.NotBefore, Lifetime, Lifetime + TimeSpan.FromMinutes(1));

        // Two kinds of load while both sidecars rotate three times: requests through the mesh (the
        // sidecars keep one HTTP/2 connection) and a new mTLS connection per request, handshaking
        // with whatever certificates are current on both sides at that moment.
        var failures = new ConcurrentQueue<string>();
        var serverSerials = new ConcurrentDictionary<string, bool>();
        var meshRequests = 0;
        var freshRequests = 0;
        using var stop = new CancellationTokenSource();
        using var meshClient = TestHttp.CreateClient(pooled: false);
        meshClient.DefaultRequestVersion = HttpVersion.Version11;
        var freshHandler = new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero };
        UpstreamTlsConfigurator.Configure(
            new Dictionary<string, string> { [UpstreamTlsMetadata.Mode] = UpstreamTlsMetadata.IstioMutual, [UpstreamTlsMetadata.SubjectAltNames] = reviews.SpiffeId },
            freshHandler,
            productpage.Identity);
        using var freshClient = new HttpClient(freshHandler) { Timeout = TestHttp.Timeout };

        // One slot per fresh-connection loop: the clock's jump to just before the renewal takes
        // them all (see RotateAsync).
        const int freshLoops = 2;
        using var freshSlots = new SemaphoreSlim(freshLoops, freshLoops);

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
                await freshSlots.WaitAsync();
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
                    failures.Enqueue($"fresh: {ex.Message} {ex.InnerException}");
                }
                finally
                {
                    freshSlots.Release();
                }
            }
        }

        Task[] load = [.. Enumerable.Range(0, 4).Select(_ => Task.Run(MeshLoad)), .. Enumerable.Range(0, freshLoops).Select(_ => Task.Run(FreshConnections))];
        for (var rotation = 1; rotation <= 3; rotation++)
        {
            var served = Volatile.Read(ref meshRequests) + Volatile.Read(ref freshRequests);
            await RotateAsync(reviews, reviewsClock, rotation, freshSlots, freshLoops);
            await RotateAsync(productpage, productpageClock, rotation, freshSlots, freshLoops);
            await Poll.UntilAsync(
                $"requests on the certificates of rotation {rotation}",
                () => Volatile.Read(ref meshRequests) + Volatile.Read(ref freshRequests) >= served + 20 && Volatile.Read(ref freshRequests) > rotation * 5);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests:\n{string.Join("\n", failures)}");

        // Both workloads rotated, and the server saw the client's new certificates.
        var clientHashes = reviews.App!.Requests.Where(r => r.PathAndQuery == "/reviews/2")
            .Select(r => r.Headers["x-forwarded-client-cert"].Split(';')[1]).Distinct().Count();
        Assert.True(clientHashes >= 3, $"the server saw {clientHashes} distinct client certificates");
        Assert.True(serverSerials.Count >= 3, $"the server presented {serverSerials.Count} distinct certificates");
        Assert.NotEqual(firstClient.Leaf.SerialNumber, productpage.Identity.Certificate!.Leaf.SerialNumber);
        Assert.NotEqual(firstServer.Leaf.SerialNumber, reviews.Identity.Certificate!.Leaf.SerialNumber);
    }

    /// <summary>
    /// Moves the sidecar's clock to its certificate's renewal time (half its lifetime) and waits for
    /// the new certificate. The renewal is a timer on that clock, due exactly then.
    /// </summary>
    /// <remarks>
    /// The CA signs on the real clock with a one-second resolution: a certificate issued in the
    /// same second as the one it replaces renews at the same instant, which the sidecar's clock has
    /// reached, so the sidecar renews again at once until the real second turns. Hence the wait for
    /// a certificate whose renewal timer is armed, rather than for the first new one.
    /// <para>
    /// The jump to one second before the renewal is half an hour passing at once: a connection the
    /// sidecar has accepted but not yet read a first byte from would be idle that long, and its
    /// first-bytes timeout (on the same clock) rightly closes it. No fresh connection is open
    /// across that jump; the second that renews the certificate passes under the full load.
    /// </para>
    /// </remarks>
    private static async Task RotateAsync(TestWorkload workload, TestClock clock, int rotation, SemaphoreSlim freshSlots, int freshLoops)
    {
        var (current, untilRenewal) = await Poll.ForAsync(
            $"{workload.Name}'s renewal {rotation} armed on its clock, at half its certificate's lifetime",
            () => (Certificate: workload.Identity.Certificate!, Due: workload.Identity.Certificate!.RenewAt - clock.GetUtcNow()),
            armed => armed.Due > TimeSpan.Zero && clock.ArmedTimers.Contains(armed.Due) && ReferenceEquals(armed.Certificate, workload.Identity.Certificate));

        for (var i = 0; i < freshLoops; i++)
        {
            await freshSlots.WaitAsync();
        }

        try
        {
            clock.Advance(untilRenewal - TimeSpan.FromSeconds(1));
        }
        finally
        {
            freshSlots.Release(freshLoops);
        }

        Assert.Same(current, workload.Identity.Certificate);

        clock.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync($"{workload.Name}'s certificate after renewal {rotation}", () => workload.Identity.Certificate!.Leaf.SerialNumber != current.Leaf.SerialNumber);
    }
}
