using System.Buffers;
using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;

namespace Mesh.Benchmarks.PushCost;

/// <summary>
/// N proxies on the incremental stream, in process: the control plane's own
/// <see cref="ProxyConnection"/>s with their real delta writers, each writing into a buffer the
/// way the gRPC marshaller does (<see cref="DiscoveryMethods"/>) and answering every delta with
/// an ACK of its nonce at once — a fleet of perfect readers, so what a push costs is the control
/// plane's work alone (no sockets, no HTTP/2, no other process).
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _writers = [];
    private long _bytes;
    private long _writes;

    public SimulatedFleet(IEnumerable<Node> nodes, SnapshotDeltaPlans plans)
    {
        var options = new ProxyConnectionOptions(TimeSpan.FromSeconds(30), TimeProvider.System, new PushThrottle(100, TimeSpan.FromMinutes(5), TimeProvider.System));
        foreach (var node in nodes)
        {
            var connection = new ProxyConnection(node, options, reason => throw new InvalidOperationException($"{node.Id} closed: {reason}"));
            connection.EnableDeltas(ResourceView.Empty, plans, acceptsZlib: true);
            Connections.Add(connection);
            _writers.Add(Task.Run(() => connection.RunDeltaWriterAsync(new AckingWriter(this, connection), _stop.Token)));
        }
    }

    public List<ProxyConnection> Connections { get; } = [];

    /// <summary>Bytes written to every stream so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Deltas written so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>
    /// Waits until no proxy has anything pending, being written or unanswered. Fails (does not
    /// hang) when a writer died — its exception is the report — or when no delta was written for
    /// <paramref name="stalledAfter"/> while some proxy is still busy.
    /// </summary>
    public async Task SettledAsync(TimeSpan stalledAfter)
    {
        var writes = Writes;
        var progressAt = DateTime.UtcNow;
        while (!Connections.TrueForAll(c => c.IsIdle))
        {
            if (_writers.FirstOrDefault(w => w.IsFaulted) is { } failed)
            {
                throw new InvalidOperationException($"a simulated proxy's writer failed: {failed.Exception!.InnerException!.Message}", failed.Exception.InnerException);
            }

            if (Writes != writes)
            {
                (writes, progressAt) = (Writes, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - progressAt > stalledAfter)
            {
                var busy = Connections.Where(c => !c.IsIdle).ToList();
                throw new TimeoutException(
                    $"no delta written for {stalledAfter.TotalSeconds:0} s while {busy.Count} of {Connections.Count} proxies are busy " +
                    $"({busy.Count(c => c.IsWriting)} writing, {busy.Count(c => c.PendingConfigGeneration is not null)} with a snapshot waiting); first: {busy[0].Id}");
            }

            await Task.Delay(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var connection in Connections)
        {
            connection.MarkClosed();
        }

        await Task.WhenAll(_writers.Select(async writer =>
        {
            try
            {
                await writer;
            }
            catch (Exception)
            {
                // Cancelled at the end, or already reported by SettledAsync.
            }
        }));
        _stop.Dispose();
    }

    private sealed class AckingWriter(SimulatedFleet fleet, ProxyConnection connection) : IAsyncStreamWriter<DeltaPayload>
    {
        public WriteOptions? WriteOptions { get; set; }

        [ThreadStatic]
        private static ArrayBufferWriter<byte>? t_buffer;

        // The writer passes its stream's token: the interface's default overload would refuse a
        // cancellable token (gRPC's NotSupportedException) and kill the writer before its first write.
        public Task WriteAsync(DeltaPayload message, CancellationToken cancellationToken) => WriteAsync(message);

        public Task WriteAsync(DeltaPayload message)
        {
            // What the response marshaller does with a delta: its shared body, then this write's own
            // fields, copied into a buffer (gRPC's are pooled: so is this one, per thread).
            var buffer = t_buffer ??= new ArrayBufferWriter<byte>();
            buffer.ResetWrittenCount();
            buffer.Write(message.Body);
            buffer.Write(message.Own);
            Interlocked.Add(ref fleet._bytes, buffer.WrittenCount);
            Interlocked.Increment(ref fleet._writes);
            connection.OnAck(message.Plan.Version, message.Nonce);
            return Task.CompletedTask;
        }
    }
}
