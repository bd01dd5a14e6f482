using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Snapshots;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// A proxy that stops reading its stream (over real HTTP/2: its flow-control window fills and
/// the control plane's write blocks) costs bounded memory and delays nobody, and is cut off
/// once a newer snapshot has waited longer than the slow-proxy timeout (fake clock).
/// </summary>
public sealed class StuckProxyTests
{
    private const int Changes = 30;

    [Fact]
    public async Task A_stuck_stream_holds_at_most_one_pending_snapshot_delays_nobody_and_is_closed_after_the_timeout()
    {
        var time = new TestClock();
        var builder = new BulkySnapshotBuilder();
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options(builder) with
        {
            Clock = time,
            Settings = new Dictionary<string, string?> { ["ControlPlane:SlowProxyTimeout"] = "00:10:00" },
        });
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("v0"));
        await using var stuck = await controlPlane.Proxy("stuck").ConnectAsync(); // never reads
        await using var healthy = await controlPlane.Proxy("healthy").ConnectAsync();
        await NextGenerationAsync(time, healthy, 1);
        var stuckConnection = (await Poll.ForAsync("the stuck proxy connected", () => controlPlane.Service<ConnectedProxies>().Find("stuck"), c => c is not null))!;

        // Every change reaches the healthy proxy while the stuck one's write stays blocked.
        for (var change = 1; change <= Changes; change++)
        {
            await controlPlane.Admin.ApplyAsync(Yaml.VirtualService($"v{change}"));
            await NextGenerationAsync(time, healthy, change + 1);
        }

        await Poll.UntilAsync("the stuck proxy's write blocks on its full flow-control window", () => stuckConnection.IsWriting);
        Assert.Same(stuckConnection, controlPlane.Service<ConnectedProxies>().Find("stuck"));

        // proxy-status says more than STALE: the proxy is not reading, and how much waits for it.
        Assert.Null(stuckConnection.GetStatus().BlockedWrite); // not before the ACK timeout
        time.Advance(controlPlane.Service<IOptions<ControlPlaneOptions>>().Value.AckTimeout);
        var status = await controlPlane.Admin.GetJsonAsync("/api/v1/proxies/stuck");
        Assert.Equal("STALE", status["status"]!.GetValue<string>());
        Assert.InRange(status["blockedWrite"]!["bytes"]!.GetValue<long>(), 100_000, 1_000_000);
        Assert.Null((await controlPlane.Admin.GetJsonAsync("/api/v1/proxies/healthy"))["blockedWrite"]);

        // Bounded: of the 30 snapshots built since (about 280 KB each), only a constant few are
        // still reachable (the blocked write, the one pending slot, the cache's recent sets and the
        // healthy proxy's last) — nothing queues up per change behind the stuck stream.
        Assert.InRange(builder.Alive(), 1, 6);

        // A newer snapshot waiting longer than the slow-proxy timeout closes the stuck stream.
        time.Advance(TimeSpan.FromMinutes(11));
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("last"));
        await NextGenerationAsync(time, healthy, Changes + 2);
        await Poll.UntilAsync("the stuck stream is closed", () => controlPlane.Service<ConnectedProxies>().Find("stuck") is null);
    }

    [Fact]
    public async Task More_stuck_streams_than_push_slots_hold_at_most_the_slots_snapshots_in_flight_and_delay_others_by_the_hold_timeout_at_most()
    {
        var time = new TestClock();
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options(new BulkySnapshotBuilder()) with
        {
            Clock = time,
            Settings = new Dictionary<string, string?> { ["ControlPlane:MaxConcurrentPushes"] = "2" },
        });
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("v0"));
        var throttle = controlPlane.Service<PushThrottle>();
        var stuck = new List<TestProxy>();
        for (var i = 0; i < 4; i++)
        {
            stuck.Add(await controlPlane.Proxy($"stuck-{i}").ConnectAsync()); // never read
            await Poll.UntilAsync($"stuck-{i} writes or waits", () => throttle.Writing + throttle.Waiting == i + 1);
        }

        await using var healthy = await controlPlane.Proxy("healthy").ConnectAsync();
        var received = healthy.NextAsync();

        // Over real HTTP/2 the two writes in progress block on full flow-control windows; the
        // other three streams wait for a slot instead of each buffering a whole snapshot.
        await Poll.UntilAsync("two writes block and three streams wait", () => throttle.Writing == 2 && throttle.Waiting == 3);
        var oneSnapshot = throttle.BytesInFlight / 2;
        Assert.False(received.IsCompleted);

        // Each hold timeout closes the two stuck streams in the slots and lets the next two write.
        time.Advance(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync("the next two stuck streams write", () => controlPlane.Service<ConnectedProxies>().Count == 3 && throttle.Writing == 2 && throttle.Waiting == 1);
        time.Advance(TimeSpan.FromSeconds(10));
        var snapshot = await received.WaitAsync(Poll.DefaultBudget);

        Assert.Equal(1, snapshot.ConfigGeneration);
        Assert.Equal(2, throttle.PeakWriting);
        Assert.InRange(throttle.PeakBytesInFlight, 1, 2 * oneSnapshot);
        foreach (var proxy in stuck)
        {
            await proxy.DisposeAsync();
        }
    }

    /// <summary>Moves the fake clock past the push debounce (20 ms quiet, 200 ms at most) until the proxy receives the generation.</summary>
    private static async Task<ProxySnapshot> NextGenerationAsync(TestClock time, TestProxy proxy, long generation)
    {
        while (true)
        {
            var next = proxy.NextAsync();
            await time.AdvanceUntilAsync($"a push to {proxy.Node.Id}", due => due <= TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50), () => next.IsCompleted);
            var snapshot = await next;
            if (snapshot.ConfigGeneration >= generation)
            {
                return snapshot;
            }
        }
    }

    /// <summary>Snapshots of about 280 KB (more than an HTTP/2 stream window), each tracked weakly.</summary>
    private sealed class BulkySnapshotBuilder : IProxySnapshotBuilder
    {
        private readonly Lock _gate = new();
        private readonly List<WeakReference<ProxySnapshot>> _built = [];

        public ProxySnapshot Build(SnapshotInputs inputs, Node node)
        {
            var snapshot = new ProxySnapshot { Node = node, ConfigGeneration = inputs.Model.Generation };
            var cluster = new Cluster { Name = $"bulk-{inputs.Model.Generation}" };
            for (var i = 0; i < 8000; i++)
            {
                cluster.Endpoints.Add(new Endpoint { Address = $"10.{i / 250}.{i % 250}.1", Port = 8080, Workload = "bulky-workload" });
            }

            snapshot.Clusters.Add(cluster);
            snapshot.Version = $"{inputs.Model.Generation}-{inputs.Registry.Version}";
            lock (_gate)
            {
                _built.Add(new WeakReference<ProxySnapshot>(snapshot));
            }

            return snapshot;
        }

        /// <summary>How many built snapshots are still reachable after a full collection.</summary>
        public int Alive()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            lock (_gate)
            {
                return _built.Count(w => w.TryGetTarget(out _));
            }
        }
    }
}
