using System.Collections.Concurrent;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// The 1-byte echoes outstanding on one connection: each send enqueues its scheduled time, each
/// byte that comes back completes the oldest (TCP keeps them in order, and a read may return
/// several), so latency is measured from the scheduled time even when echoes queue up.
/// </summary>
public sealed class EchoInFlight
{
    private readonly ConcurrentQueue<long> _scheduled = new();

    public int Count => _scheduled.Count;

    public void Sent(long scheduledNs) => _scheduled.Enqueue(scheduledNs);

    /// <summary>Records <paramref name="bytes"/> echoes that arrived at <paramref name="nowNs"/>; false when more came back than were sent.</summary>
    public bool Received(int bytes, long nowNs, LatencyRecorder recorder)
    {
        for (var i = 0; i < bytes; i++)
        {
            if (!_scheduled.TryDequeue(out var scheduled))
            {
                return false;
            }

            recorder.Record(nowNs - scheduled);
        }

        return true;
    }
}
