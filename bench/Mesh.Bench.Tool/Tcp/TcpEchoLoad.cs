using System.Net;
using System.Net.Sockets;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// tcp-load's echo mode: 1-byte round trips at a fixed rate over persistent connections, open
/// loop, each timed from its scheduled send time.
/// </summary>
internal static class TcpEchoLoad
{
    public static async Task<TcpLoadResult> RunAsync(IPEndPoint target, int connections, double rate, TimeSpan warmup, TimeSpan duration)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < connections; i++)
        {
            sockets.Add(await TcpLoadSockets.OpenAsync(target));
        }

        try
        {
            if (warmup > TimeSpan.Zero)
            {
                await EchoRunAsync(sockets, rate, warmup);
            }

            Console.WriteLine(OpenLoopCommand.StartMarker);
            var result = await EchoRunAsync(sockets, rate, duration);
            Console.WriteLine(OpenLoopCommand.EndMarker);
            return result;
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>
    /// One open-loop timeline: request i is due at start + i/rate on connection i mod C, sent from
    /// a dedicated thread on time; receive loops match the echoed bytes to their scheduled times.
    /// </summary>
    private static async Task<TcpLoadResult> EchoRunAsync(IReadOnlyList<Socket> sockets, double rate, TimeSpan duration)
    {
        var total = (int)Math.Round(rate * duration.TotalSeconds);
        var recorder = new LatencyRecorder(total);
        var counter = new TcpLoadSockets.ErrorCounter();
        var inFlight = sockets.Select(_ => new EchoInFlight()).ToArray();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var receivers = sockets.Select((socket, c) => Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                    if (read == 0 || !inFlight[c].Received(read, PreciseClock.NowNs(), recorder))
                    {
                        counter.Add(new IOException(read == 0 ? "the path closed an echo connection" : "more bytes came back than were sent"));
                        return;
                    }

                    if (recorder.Completed >= total)
                    {
                        done.TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (!stop.IsCancellationRequested)
                {
                    counter.Add(ex);
                }
            }
        })).ToList();

        var one = new byte[] { (byte)'x' };
        var start = PreciseClock.NowNs() + 1_000_000;
        var interval = 1e9 / rate;
        await DispatcherThread.Run("tcp-echo-dispatcher", () =>
        {
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i * interval);
                PreciseClock.SleepUntil(due);
                recorder.RecordDispatchLag(PreciseClock.NowNs() - due);
                var c = i % sockets.Count;
                inFlight[c].Sent(due);
                try
                {
                    sockets[c].Send(one);
                }
                catch (SocketException ex)
                {
                    counter.Add(ex);
                }
            }
        });

        // The last echoes get a second to arrive; the ones that do not are errors.
        await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(1)));
        var elapsed = (PreciseClock.NowNs() - start) / 1e9;
        var summary = recorder.Summarize(total, elapsed, counter.First);
        await stop.CancelAsync();
        await Task.WhenAll(receivers);
        return new TcpLoadResult { Mode = "echo", Seconds = elapsed, Errors = summary.Errors + counter.Count, Latency = summary, FirstError = counter.First };
    }
}
