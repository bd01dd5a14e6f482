using System.Net;
using System.Text;

namespace Mesh.Bench.Tool.Load;

/// <summary>
/// Open-loop HTTP/1.1 load (what wrk2 and fortio do; wrk2 is not packaged for Debian): request i
/// is due at start + i / rate whatever happened before, and its latency is measured from that
/// scheduled time, so a stalled server is charged for every request it delayed (no coordinated
/// omission). A dedicated thread dispatches on the timeline onto idle keep-alive connections;
/// when all are busy the request waits in a backlog and its wait counts as latency.
/// </summary>
public sealed class OpenLoopHttpRun
{
    private readonly Lock _gate = new();
    private readonly Stack<OpenLoopConnection> _idle = new();
    private readonly HashSet<OpenLoopConnection> _idleSet = [];
    private readonly Queue<long> _backlog = new();
    private string? _firstError;

    public OpenLoopHttpRun(OpenLoopOptions options)
    {
        Options = options;
        var total = (int)Math.Ceiling(options.Rate * options.Duration.TotalSeconds);
        Scheduled = total;
        Recorder = new LatencyRecorder(total + 16);
    }

    public OpenLoopOptions Options { get; }

    public int Scheduled { get; }

    internal LatencyRecorder Recorder { get; }

    public async Task<LatencySummary> RunAsync(CancellationToken cancellationToken)
    {
        var target = Options.Target;
        var endPoint = new IPEndPoint(IPAddress.Parse(target.Host == "localhost" ? "127.0.0.1" : target.Host), target.Port);
        var host = Options.HostHeader ?? target.Authority;
        var request = Encoding.ASCII.GetBytes($"GET {target.PathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mesh-bench\r\nAccept: */*\r\n\r\n");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connections = new List<OpenLoopConnection>();
        for (var i = 0; i < Options.Connections; i++)
        {
            var connection = new OpenLoopConnection(endPoint, request, this);
            await connection.ConnectAsync(cancellationToken);
            connections.Add(connection);
        }

        var loops = connections.Select(c => Task.Run(() => c.ReceiveLoopAsync(stop.Token), CancellationToken.None)).ToList();
        foreach (var connection in connections)
        {
            OnIdle(connection);
        }

        var startNs = PreciseClock.NowNs() + 10_000_000; // 10 ms to let the dispatcher thread start
        var intervalNs = 1e9 / Options.Rate;
        await DispatcherThread.Run("open-loop dispatcher", () => Dispatch(startNs, intervalNs));
        var endNs = startNs + (long)(Scheduled * intervalNs);

        // Drain: in-flight and backlogged requests get a bounded time to finish; the rest are errors.
        var drainUntil = PreciseClock.NowNs() + (long)Options.Drain.TotalMilliseconds * 1_000_000;
        while (Recorder.Completed + Recorder.Errors < Scheduled && PreciseClock.NowNs() < drainUntil)
        {
            await Task.Delay(5, cancellationToken);
        }

        var elapsed = Math.Max(PreciseClock.NowNs(), endNs) - startNs;
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        var summary = Recorder.Summarize(Scheduled, elapsed / 1e9, _firstError);
        return summary with { Reconnects = connections.Sum(c => c.Reconnects) };
    }

    internal void OnIdle(OpenLoopConnection connection)
    {
        long next;
        lock (_gate)
        {
            if (!_backlog.TryDequeue(out next))
            {
                if (_idleSet.Add(connection))
                {
                    _idle.Push(connection);
                }

                return;
            }
        }

        connection.Send(next);
    }

    internal void NoteError(string reason, bool failedRequest = true)
    {
        if (failedRequest)
        {
            Recorder.RecordError();
        }

        Interlocked.CompareExchange(ref _firstError, reason, null);
    }

    private void Dispatch(long startNs, double intervalNs)
    {
        for (var i = 0; i < Scheduled; i++)
        {
            var due = startNs + (long)(i * intervalNs);
            if (PreciseClock.NowNs() < due)
            {
                PreciseClock.SleepUntil(due);
            }

            OpenLoopConnection? connection = null;
            lock (_gate)
            {
                if (_idle.TryPop(out connection))
                {
                    _idleSet.Remove(connection);
                }
                else
                {
                    _backlog.Enqueue(due);
                }
            }

            connection?.Send(due);
        }
    }
}
