using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>The per-stream pending slot: latest wins, no going back in time, slow proxies are cut off.</summary>
public sealed class ProxyConnectionTests
{
    private static readonly TimeSpan SlowProxyTimeout = TimeSpan.FromSeconds(10);
    private static readonly ProxyConnectionOptions Options = new(TimeSpan.FromSeconds(5), TimeProvider.System, new PushThrottle(100, SlowProxyTimeout, TimeProvider.System));

    [Fact]
    public async Task While_a_write_is_blocked_newer_snapshots_replace_the_pending_one_and_a_stuck_proxy_is_closed_after_the_hold_timeout()
    {
        string? closedBecause = null;
        var clock = new TestClock();
        var throttle = new PushThrottle(4, SlowProxyTimeout, clock);
        var connection = new ProxyConnection(TestProxy.NodeFor("p"), new ProxyConnectionOptions(TimeSpan.FromSeconds(5), clock, throttle), reason => closedBecause = reason);
        var writer = new BlockingWriter();
        using var stop = new CancellationTokenSource();
        var writing = connection.RunWriterAsync(writer, stop.Token);

        connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1));
        await writer.FirstWriteStarted.Task.WaitAsync(Poll.DefaultBudget); // v1 is now stuck in the transport
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(2, 1));
        connection.Offer(Snapshot("v3"), new SnapshotInputsOrder(3, 1));
        clock.Advance(SlowProxyTimeout - TimeSpan.FromMilliseconds(1));
        Assert.Null(closedBecause); // not yet too slow
        Assert.Equal(1, throttle.Writing);

        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Matches(@"^the proxy has not taken a \d+-byte snapshot within 10 s; its push slot goes to the next proxy$", closedBecause);
        Assert.Equal(0, throttle.Writing); // the slot is free again although the write never completed
        Assert.Equal(0, throttle.BytesInFlight);
        Assert.Equal(["v1"], writer.Started);
        await stop.CancelAsync();
        writer.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);
    }

    [Fact]
    public async Task A_pending_snapshot_is_replaced_by_the_latest_and_older_inputs_are_ignored()
    {
        var connection = new ProxyConnection(TestProxy.NodeFor("p"), Options, _ => { });
        var writer = new BlockingWriter();
        using var stop = new CancellationTokenSource();
        var writing = connection.RunWriterAsync(writer, stop.Token);

        connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1));
        await writer.FirstWriteStarted.Task.WaitAsync(Poll.DefaultBudget);
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(1, 2));
        connection.Offer(Snapshot("v3"), new SnapshotInputsOrder(1, 3));
        connection.Offer(Snapshot("stale"), new SnapshotInputsOrder(1, 2)); // a connect racing a push round
        writer.Release();

        await Poll.ForAsync("two writes started", () => writer.Started.Count, c => c == 2);

        // A later snapshot is written next: the stale one was never queued behind v3.
        connection.Offer(Snapshot("v4"), new SnapshotInputsOrder(1, 4));
        await Poll.ForAsync("three writes started", () => writer.Started.Count, c => c == 3);
        Assert.Equal(["v1", "v3", "v4"], writer.Started);
        Assert.Equal("p", connection.LastSent!.Node.Id);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);
    }

    [Fact]
    public void Status_follows_the_answers_to_the_latest_sent_version()
    {
        var connection = new ProxyConnection(TestProxy.NodeFor("p"), Options with { AckTimeout = TimeSpan.Zero }, _ => { });
        Assert.Equal(ProxySyncStatus.Stale, connection.GetStatus().Status); // nothing sent yet

        connection.OnAck("v0"); // an answer to something never sent changes nothing
        Assert.Equal(ProxySyncStatus.Stale, connection.GetStatus().Status);
    }

    internal static SharedSnapshot Snapshot(string version) => new(new ProxySnapshot { Version = version, Node = new Node() });

    /// <summary>A transport whose first write never completes until released (a proxy that stopped reading).</summary>
    internal sealed class BlockingWriter : IAsyncStreamWriter<SnapshotPayload>
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource FirstWriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Started { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public void Release() => _release.TrySetResult();

        public Task WriteAsync(SnapshotPayload message, CancellationToken cancellationToken) => WriteAsync(message);

        public async Task WriteAsync(SnapshotPayload message)
        {
            lock (Started)
            {
                Started.Add(message.Snapshot.Version);
            }

            FirstWriteStarted.TrySetResult();
            await _release.Task;
        }
    }
}
