using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// One simulated sidecar: a real incremental discovery stream that says Hello with its node and
/// ACKs every delta (by its nonce) at once, remembering when the newest config generation arrived
/// and was ACKed. The proxy that decodes fully assembles its deltas like a real proxy
/// (<see cref="SnapshotDeltaAssembler"/>) and NACKs one that does not fit.
/// </summary>
public sealed class SimulatedProxy
{
    private readonly Lock _gate = new();
    private long _ackedGeneration = -1;
    private long _ackedAtNs;
    private long _lastReceivedNs;
    private int _lastSize;
    private int _firstSize;
    private int _snapshots;
    private List<long>? _arrivals;
    private readonly SnapshotDeltaAssembler? _assembler;

    public SimulatedProxy(Node node, bool fullDecode, bool acceptZlib)
    {
        Node = node;
        FullDecode = fullDecode;
        AcceptZlib = acceptZlib;
        _assembler = fullDecode ? new SnapshotDeltaAssembler() : null;
    }

    public Node Node { get; }

    public bool FullDecode { get; }

    /// <summary>Whether its Hello accepts compressed deltas, as real proxies' does.</summary>
    public bool AcceptZlib { get; }

    public int Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>The last assembled snapshot (only for the proxy that decodes fully).</summary>
    public ProxySnapshot? LastFull { get; private set; }

    public string? Failure { get; private set; }

    public long LastReceivedNs => Interlocked.Read(ref _lastReceivedNs);

    /// <summary>Bytes of the latest delta received.</summary>
    public int LastSize => Volatile.Read(ref _lastSize);

    /// <summary>Bytes of the first delta of the stream: the complete snapshot.</summary>
    public int FirstSize => Volatile.Read(ref _firstSize);

    /// <summary>When the first snapshot of at least <paramref name="generation"/> was ACKed, or null.</summary>
    public long? AckedAtNs(long generation)
    {
        lock (_gate)
        {
            return _ackedGeneration >= generation ? _ackedAtNs : null;
        }
    }

    /// <summary>Starts recording when each snapshot arrives (endpoint churn measures push latency from them).</summary>
    public void RecordArrivals()
    {
        lock (_gate)
        {
            _arrivals = [];
        }
    }

    /// <summary>The arrival times recorded since <see cref="RecordArrivals"/>, in order; stops recording.</summary>
    public long[] StopRecordingArrivals()
    {
        lock (_gate)
        {
            var arrivals = _arrivals?.ToArray() ?? [];
            _arrivals = null;
            return arrivals;
        }
    }

    public async Task RunAsync(CallInvoker invoker, Method<ProxyMessage, SnapshotHeader> method, CancellationToken cancellationToken)
    {
        try
        {
            using var call = invoker.AsyncDuplexStreamingCall(method, null, new CallOptions(cancellationToken: cancellationToken));
            await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = Node, AcceptEncodings = { AcceptZlib ? new[] { SnapshotDeltaCompression.Zlib } : [] } } }, cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                var received = PreciseClock.NowNs();
                var header = call.ResponseStream.Current;
                var (answer, full) = Answer(header);
                await call.RequestStream.WriteAsync(answer, cancellationToken);
                var acked = PreciseClock.NowNs();
                lock (_gate)
                {
                    if (header.ConfigGeneration > _ackedGeneration)
                    {
                        _ackedGeneration = header.ConfigGeneration;
                        _ackedAtNs = acked;
                    }

                    _arrivals?.Add(received);
                    if (full is not null)
                    {
                        LastFull = full;
                    }
                }

                Interlocked.Exchange(ref _lastReceivedNs, received);
                Volatile.Write(ref _lastSize, header.SizeBytes);
                Interlocked.CompareExchange(ref _firstSize, header.SizeBytes, 0);
                Interlocked.Increment(ref _snapshots);
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
        }
        catch (Exception ex)
        {
            Failure = ex.Message;
        }
    }

    private (ProxyMessage Answer, ProxySnapshot? Full) Answer(SnapshotHeader header)
    {
        if (_assembler is null || header.Delta is null)
        {
            return (new ProxyMessage { Ack = new Ack { Version = header.Version, Nonce = header.Nonce } }, null);
        }

        try
        {
            var assembled = _assembler.Apply(header.Delta);
            _assembler.Commit(assembled);
            return (new ProxyMessage { Ack = new Ack { Version = header.Version, Nonce = header.Nonce } }, assembled.Snapshot);
        }
        catch (InvalidDataException ex)
        {
            return (new ProxyMessage { Nack = new Nack { Version = header.Version, Nonce = header.Nonce, Error = ex.Message, Resync = true } }, null);
        }
    }
}
