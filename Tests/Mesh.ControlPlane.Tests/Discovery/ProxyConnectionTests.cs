using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>The per-stream push slot: latest wins, no going back in time, slow proxies are cut off.</summary>
public sealed class ProxyConnectionTests
{
    private static readonly ProxyConnectionOptions Options = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeProvider.System);

    [Fact]
    public async Task While_a_write_is_blocked_newer_snapshots_replace_the_pending_one_and_a_stuck_proxy_is_closed()
    {
        string? closedBecause = null;
        var connection = new ProxyConnection(TestProxy.NodeFor("p"), Options, reason => closedBecause = reason);
        var writer = new BlockingWriter();
        using var stop = new CancellationTokenSource();
        var writing = connection.RunWriterAsync(writer, stop.Token);

        connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1));
        await writer.FirstWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(5)); // v1 is now stuck in the transport
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(2, 1));
        connection.Offer(Snapshot("v3"), new SnapshotInputsOrder(3, 1));
        Assert.Null(closedBecause);

        await Task.Delay(300); // longer than the slow-proxy timeout
        connection.Offer(Snapshot("v4"), new SnapshotInputsOrder(4, 1));

        Assert.NotNull(closedBecause);
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
        await writer.FirstWriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(1, 2));
        connection.Offer(Snapshot("v3"), new SnapshotInputsOrder(1, 3));
        connection.Offer(Snapshot("stale"), new SnapshotInputsOrder(1, 2)); // a connect racing a push round
        writer.Release();

        await Eventually.GetAsync(() => writer.Started.Count, c => c == 2);
        await Task.Delay(50);
        Assert.Equal(["v1", "v3"], writer.Started);
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
