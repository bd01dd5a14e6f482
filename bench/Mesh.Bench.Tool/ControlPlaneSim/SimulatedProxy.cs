using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// One simulated sidecar: a real discovery stream that says Hello with its node and ACKs every
/// snapshot at once, remembering when the newest config generation arrived and was ACKed.
/// </summary>
public sealed class SimulatedProxy
{
    private readonly Lock _gate = new();
    private long _ackedGeneration = -1;
    private long _ackedAtNs;
    private long _lastReceivedNs;
    private int _lastSize;
    private int _snapshots;
    private List<long>? _arrivals;

    public SimulatedProxy(Node node, bool fullDecode)
    {
        Node = node;
        FullDecode = fullDecode;
    }

    public Node Node { get; }

    public bool FullDecode { get; }

    public int Snapshots => Volatile.Read(ref _snapshots);

    /// <summary>The last fully decoded snapshot (only for the proxy that decodes fully).</summary>
    public ProxySnapshot? LastFull { get; private set; }

    public string? Failure { get; private set; }

    public long LastReceivedNs => Interlocked.Read(ref _lastReceivedNs);

    public int LastSize => Volatile.Read(ref _lastSize);

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
            await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = Node } }, cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                var received = PreciseClock.NowNs();
                var header = call.ResponseStream.Current;
                await call.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = header.Version } }, cancellationToken);
                var acked = PreciseClock.NowNs();
                lock (_gate)
                {
                    if (header.ConfigGeneration > _ackedGeneration)
                    {
                        _ackedGeneration = header.ConfigGeneration;
                        _ackedAtNs = acked;
                    }

                    _arrivals?.Add(received);
                    if (header.Full is not null)
                    {
                        LastFull = header.Full;
                    }
                }

                Interlocked.Exchange(ref _lastReceivedNs, received);
                Volatile.Write(ref _lastSize, header.SizeBytes);
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
}
