using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Mesh.Bench.Tool.Soak;

/// <summary>
/// The live managed heap of a .NET process: the bytes that survive one full blocking GC, which the
/// runtime performs when an EventPipe session enables the GCHeapCollect keyword (as dotnet-gcdump
/// induces it, without the heap walk). RSS alone cannot tell a leak from GC budgets, the JIT or
/// native pools growing; a live heap that rises from halfway to the end is objects kept alive.
/// </summary>
public static class LiveHeapSampler
{
    /// <summary>Bytes surviving an induced full GC; null when the process is not .NET, has gone, or did not answer within <paramref name="timeout"/>.</summary>
    public static async Task<long?> MeasureAsync(int pid, TimeSpan timeout)
    {
        EventPipeSession session;
        try
        {
            var provider = new EventPipeProvider(
                ClrTraceEventParser.ProviderName,
                System.Diagnostics.Tracing.EventLevel.Informational,
                (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect));
            session = new DiagnosticsClient(pid).StartEventPipeSession(provider, requestRundown: false);
        }
        catch (Exception ex) when (ex is DiagnosticsClientException or IOException or UnauthorizedAccessException or TimeoutException or ArgumentException)
        {
            return null;
        }

        using (session)
        {
            var survived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var reader = Task.Run(() => Read(session, survived));
            var finished = await Task.WhenAny(survived.Task, Task.Delay(timeout));
            try
            {
                await session.StopAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is DiagnosticsClientException or IOException or TimeoutException or OperationCanceledException)
            {
                // The process ended first.
            }

            await reader.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
            return finished == survived.Task ? survived.Task.Result : null;
        }
    }

    private static void Read(EventPipeSession session, TaskCompletionSource<long> survived)
    {
        try
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var full = false;
            source.Clr.GCStart += e => full = e.Depth == 2;
            // After a gen2 GC the promoted sizes of every generation (large and pinned object heaps
            // included) are what survived it: the live heap, without free space or fragmentation.
            source.Clr.GCHeapStats += e =>
            {
                if (full)
                {
                    survived.TrySetResult(e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3 + e.TotalPromotedSize4);
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
