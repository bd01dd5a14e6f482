using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;
using static Mesh.ControlPlane.Tests.Discovery.ProxyConnectionTests;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// The push throttle: at most its number of slots of streams write at once whatever the number
/// of proxies (bounded buffering), the others wait and take their latest snapshot when their turn
/// comes, and a stuck write gives its slot up after the hold timeout (fake clock).
/// </summary>
public sealed class PushThrottleTests
{
    private static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Only_the_slots_write_at_once_queued_proxies_take_their_latest_snapshot_and_stuck_writes_pass_their_slot_on()
    {
        var clock = new TestClock();
        var throttle = new PushThrottle(2, HoldTimeout, clock);
        var closed = new List<string>();
        var proxies = Enumerable.Range(0, 6).Select(i =>
        {
            var id = $"p{i}";
            var connection = new ProxyConnection(TestProxy.NodeFor(id), new ProxyConnectionOptions(TimeSpan.FromSeconds(5), clock, throttle), _ =>
            {
                lock (closed)
                {
                    closed.Add(id);
                }
            });
            return (Connection: connection, Writer: new BlockingWriter());
        }).ToList();
        using var stop = new CancellationTokenSource();
        var writers = proxies.Select(p => p.Connection.RunWriterAsync(p.Writer, stop.Token)).ToList();

        foreach (var (connection, _) in proxies)
        {
            connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1));
        }

        // Wait for the writes themselves, not the throttle's counters: a slot counts as writing (and
        // its bytes as in flight, one after the other) just before the write reaches the stream, so
        // under load the counters can already say 2 while a writer has not started, or only one
        // write's bytes are counted.
        await Poll.UntilAsync("two writes started and four streams wait for a slot",
            () => proxies.Count(p => StartedCount(p.Writer) == 1) == 2 && throttle.Waiting == 4,
            () => $"{proxies.Count(p => StartedCount(p.Writer) == 1)} started, {throttle.Waiting} waiting");
        var first = proxies.Where(p => StartedCount(p.Writer) == 1).ToList();
        Assert.Equal(2, throttle.Writing);
        var v1Length = throttle.BytesInFlight / 2;

        // A change while they wait: the waiting proxies are PENDING (not SYNCED to anything older)
        // and, when their turn comes, get v2 — never the v1 they were first offered.
        foreach (var (connection, _) in proxies)
        {
            connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(2, 1));
        }

        Assert.All(proxies.Except(first), p => Assert.Equal(ProxySyncStatus.Pending, p.Connection.GetStatus().Status));
        foreach (var (_, writer) in first)
        {
            writer.Release();
        }

        await Poll.UntilAsync("two more proxies write", () => proxies.Count(p => StartedCount(p.Writer) == 1 && !first.Contains(p)) == 2);
        var second = proxies.Where(p => StartedCount(p.Writer) == 1 && !first.Contains(p)).ToList();
        Assert.All(second, p => Assert.Equal(["v2"], p.Writer.Started));

        // The second pair never reads: after the hold timeout their streams are closed and their
        // slots go on, so the rest are delayed by the hold timeout at most.
        Assert.Empty(closed);
        clock.Advance(HoldTimeout);
        await Poll.UntilAsync("the stuck pair is closed and the last pair writes", () =>
            proxies.Except(first).Except(second).All(p => StartedCount(p.Writer) == 1) && ClosedCount() == 2);
        Assert.Equal(second.Select(p => p.Connection.Id).Order(), closed.Order());
        var last = proxies.Except(first).Except(second).ToList();
        Assert.All(last, p => Assert.Equal(["v2"], p.Writer.Started));

        // The first pair, done with v1, queued again for v2 behind the others.
        Assert.All(first, p => Assert.Equal(["v1"], p.Writer.Started));
        foreach (var (_, writer) in last)
        {
            writer.Release();
        }

        await Poll.UntilAsync("the first pair gets v2", () => first.All(p => StartedCount(p.Writer) == 2));
        Assert.All(first, p => Assert.Equal(["v1", "v2"], p.Writer.Started));

        // Never more than two writes, nor more than two snapshots' bytes, in flight at once.
        Assert.Equal(2, throttle.PeakWriting);
        Assert.InRange(throttle.PeakBytesInFlight, 1, 2 * v1Length);
        await stop.CancelAsync();
        foreach (var (_, writer) in proxies)
        {
            writer.Release();
        }

        await Task.WhenAll(writers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        int ClosedCount()
        {
            lock (closed)
            {
                return closed.Count;
            }
        }
    }

    // The writer threads add to Started under its lock.
    private static int StartedCount(BlockingWriter writer)
    {
        lock (writer.Started)
        {
            return writer.Started.Count;
        }
    }
}
