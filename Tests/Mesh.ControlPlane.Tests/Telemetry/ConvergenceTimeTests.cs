using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Telemetry;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mesh.ControlPlane.Tests.Telemetry;

/// <summary>
/// pilot_proxy_convergence_time on a fake clock, whatever order sends and ACKs interleave in: a
/// change is measured from when it happened to the ACK of the first snapshot sent after it.
/// </summary>
public sealed class ConvergenceTimeTests
{
    /// <summary>
    /// The race behind the flaky ControlPlaneMetricsTests: a change pushed before the ACK of the
    /// stream's first snapshot arrived made that ACK stale, and the next matching ACK was taken
    /// for the answer to the connect — the change was never measured.
    /// </summary>
    [Fact]
    public async Task A_change_sent_before_the_first_snapshot_was_acknowledged_is_measured()
    {
        var (time, timeline, metrics, recorder) = Metrics();
        using var _ = recorder;
        var (connection, writer) = Connect(time);

        connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1)); // the answer to the connect
        await writer.Sent("v1");
        time.Advance(TimeSpan.FromMilliseconds(10));
        timeline.Record(); // a config change
        time.Advance(TimeSpan.FromMilliseconds(20));
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(2, 1));
        await writer.Sent("v2");
        Ack(connection, metrics, "v1"); // arrives after v2 was sent: stale
        time.Advance(TimeSpan.FromMilliseconds(30));
        Ack(connection, metrics, "v2");

        var measured = Assert.Single(recorder.Of("pilot_proxy_convergence_time"));
        Assert.Equal(0.050, measured.Value, 3); // from the change to the ACK
    }

    [Fact]
    public async Task The_first_snapshot_of_a_stream_is_not_measured_and_each_later_change_once()
    {
        var (time, timeline, metrics, recorder) = Metrics();
        using var _ = recorder;
        var (connection, writer) = Connect(time);

        timeline.Record(); // before the connect: the first snapshot answers the connect, not this
        time.Advance(TimeSpan.FromMilliseconds(5));
        connection.Offer(Snapshot("v1"), new SnapshotInputsOrder(1, 1));
        await writer.Sent("v1");
        Ack(connection, metrics, "v1");
        Ack(connection, metrics, "v1"); // repeated
        Assert.Empty(recorder.Of("pilot_proxy_convergence_time"));

        time.Advance(TimeSpan.FromMilliseconds(10));
        timeline.Record();
        time.Advance(TimeSpan.FromMilliseconds(10));
        connection.Offer(Snapshot("v2"), new SnapshotInputsOrder(2, 1));
        await writer.Sent("v2");
        time.Advance(TimeSpan.FromMilliseconds(10));
        Ack(connection, metrics, "v2");
        Ack(connection, metrics, "v2");

        Assert.Equal(0.020, Assert.Single(recorder.Of("pilot_proxy_convergence_time")).Value, 3);
    }

    private static (FakeTimeProvider Time, ChangeTimeline Timeline, ControlPlaneMetrics Metrics, MetricsRecorder Recorder) Metrics()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var timeline = new ChangeTimeline(time);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var metrics = new ControlPlaneMetrics(meters, new ConnectedProxies(), timeline);
        return (time, timeline, metrics, new MetricsRecorder(metrics.Meter));
    }

    private static (ProxyConnection Connection, RecordingWriter Writer) Connect(FakeTimeProvider time)
    {
        var connection = new ProxyConnection(TestProxy.NodeFor("reviews-v1"), new ProxyConnectionOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), time), _ => { });
        var writer = new RecordingWriter();
        _ = connection.RunWriterAsync(writer, CancellationToken.None);
        return (connection, writer);
    }

    private static void Ack(ProxyConnection connection, ControlPlaneMetrics metrics, string version)
    {
        connection.OnAck(version);
        metrics.ProxyAcked(connection, version);
    }

    private static SharedSnapshot Snapshot(string version) => new(new ProxySnapshot { Version = version, Node = new Node() });

    private sealed class RecordingWriter : IAsyncStreamWriter<SnapshotPayload>
    {
        private readonly List<(string Version, TaskCompletionSource Written)> _sent = [];

        public WriteOptions? WriteOptions { get; set; }

        /// <summary>Completes once the writer has written <paramref name="version"/> (the connection then counts it as sent).</summary>
        public Task Sent(string version) => Slot(version).Task.WaitAsync(TimeSpan.FromSeconds(10));

        public Task WriteAsync(SnapshotPayload message)
        {
            Slot(message.Snapshot.Version).TrySetResult();
            return Task.CompletedTask;
        }

        private TaskCompletionSource Slot(string version)
        {
            lock (_sent)
            {
                var slot = _sent.FirstOrDefault(s => s.Version == version).Written;
                if (slot is null)
                {
                    slot = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _sent.Add((version, slot));
                }

                return slot;
            }
        }
    }
}
