using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Mesh.Bench.Tool.Soak;

/// <summary>
/// The GC pauses of one .NET process over the soak, from its runtime's own events (EventPipe,
/// GC keyword at Informational: a handful of events per collection): a pause runs from the
/// suspension's start (GCSuspendEEStart) to the restart's end (GCRestartEEStop), as PerfView
/// and dotnet-trace count it.
/// </summary>
public sealed class GcPauseRecorder : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reader;
    private readonly List<double> _pausesMs = [];
    private readonly Lock _gate = new();
    private double? _suspendedAt;

    private GcPauseRecorder(int pid, EventPipeSession session)
    {
        Pid = pid;
        _session = session;
        _reader = Task.Run(Read);
    }

    public int Pid { get; }

    /// <summary>Pauses recorded so far.</summary>
    public int Seen
    {
        get
        {
            lock (_gate)
            {
                return _pausesMs.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="collect"/> until a pause shows up: the session delivers events (it starts asynchronously).</summary>
    public async Task WaitUntilRecordingAsync(Action collect, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Seen == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no GC event from process {Pid} within {timeout}");
            }

            collect();
            await Task.Delay(50);
        }
    }

    /// <summary>Starts recording a process; null when it is not a .NET process (no diagnostic port) or has gone.</summary>
    public static GcPauseRecorder? TryStart(int pid)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            var provider = new EventPipeProvider(ClrTraceEventParser.ProviderName, System.Diagnostics.Tracing.EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC);
            return new GcPauseRecorder(pid, client.StartEventPipeSession(provider, requestRundown: false));
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or IOException or UnauthorizedAccessException or TimeoutException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Stops the session; the pauses seen (count, p99 and max in ms).</summary>
    public async Task<(int Count, double P99Ms, double MaxMs)> StopAsync()
    {
        try
        {
            await _session.StopAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or IOException or TimeoutException or OperationCanceledException)
        {
            // The process ended first: what was read stands.
        }

        await _reader.WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { }, TaskScheduler.Default);
        lock (_gate)
        {
            if (_pausesMs.Count == 0)
            {
                return (0, 0, 0);
            }

            var sorted = _pausesMs.Order().ToArray();
            var index = Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1);
            return (sorted.Length, sorted[index], sorted[^1]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _session.Dispose();
    }

    private void Read()
    {
        try
        {
            using var source = new EventPipeEventSource(_session.EventStream);
            source.Clr.GCSuspendEEStart += e => _suspendedAt = e.TimeStampRelativeMSec;
            source.Clr.GCRestartEEStop += e =>
            {
                if (_suspendedAt is { } start)
                {
                    lock (_gate)
                    {
                        _pausesMs.Add(e.TimeStampRelativeMSec - start);
                    }

                    _suspendedAt = null;
                }
            };
            source.Process();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or EndOfStreamException or InvalidOperationException)
        {
            // The stream ended with the process or the session.
        }
    }
}
