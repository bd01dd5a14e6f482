using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>The per-stream push slot: latest wins, no going back in time, slow proxies are cut off.</summary>
public sealed class ProxyConnectionTests
{
    private static readonly TimeSpan SlowProxyTimeout = TimeSpan.FromSeconds(10);
    private static readonly ProxyConnectionOptions Options = new(SlowProxyTimeout, TimeSpan.FromSeconds(5), TimeProvider.System);

    [Fact]
    public async Task While_a_write_is_blocked_newer_snapshots_replace_the_pending_one_and_a_stuck_proxy_is_closed()
    {
        string? closedBecause = null;
        var clock = new TestClock();
        var connection = new ProxyConnection(TestProxy.NodeFor("p"), Options with { Time = clock }, reason => closedBecause = reason);
        var writer = new BlockingWriter();
        using var stop = new CancellationTokenSource();
        var writing = connection.RunWriterAsync(writer, stop.Token);

        connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1));
        await writer.FirstWriteStarted.Task.WaitAsync(Poll.DefaultBudget); // v1 is now stuck in the transport
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(2, 1));
        connection.Offer(Snapshot("v3"), new SnapshotInputsOrder(3, 1));
        clock.Advance(SlowProxyTimeout);
        connection.Offer(Snapshot("v4"), new SnapshotInputsOrder(4, 1));
        Assert.Null(closedBecause); // stuck for exactly the timeout: not yet too slow

        clock.Advance(TimeSpan.FromMilliseconds(1));
        connection.Offer(Snapshot("v5"), new SnapshotInputsOrder(5, 1));

        Assert.Equal("the proxy has not read a snapshot for more than 10 s while a newer one waits", closedBecause);
        Assert.Equal(["v1"], writer.Started);
        await stop.CancelAsync();
        writer.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writing);
    }

    [Fact]
    public async Task A_pending_snapshot_is_replaced_by_the_latest_and_older_inputs_are_ignored()
    {
        var patient = Options with { SlowProxyTimeout = TimeSpan.FromMinutes(1) };
        var connection = new ProxyConnection(TestProxy.NodeFor("p"), patient, _ => { });
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

    private static SharedSnapshot Snapshot(string version) => new(new ProxySnapshot { Version = version, Node = new Node() });

    /// <summary>A transport whose first write never completes until released (a proxy that stopped reading).</summary>
    private sealed class BlockingWriter : IAsyncStreamWriter<SnapshotPayload>
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
