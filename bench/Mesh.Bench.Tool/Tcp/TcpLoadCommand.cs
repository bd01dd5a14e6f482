using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Mesh.Bench.Tool.Cli;
using Mesh.Bench.Tool.Load;
using Mesh.Bench.Tool.Reporting;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>
/// <c>mesh-bench tcp-load --mode bulk|connect|echo --port P --duration S [--warmup S]
/// [--connections C] [--rate R]</c>, against a TCP echo path on 127.0.0.1:
/// <list type="bullet">
/// <item>bulk: C connections each write 64 KB chunks as fast as the path takes them and read the echo; the result is the bytes that came back;</item>
/// <item>connect: C workers each open a connection, send 1 byte, read it back and close, again and again (short connections);</item>
/// <item>echo: 1-byte round trips at a fixed rate over C persistent connections, each timed from its scheduled send (open loop).</item>
/// </list>
/// Runs the warm-up first (unrecorded), prints the same MEASURE markers as openloop around the
/// measured window and the result as one JSON line.
/// </summary>
public static class TcpLoadCommand
{
    public const int BulkWriteBytes = 64 * 1024;

    public static async Task<int> RunAsync(Arguments args)
    {
        var mode = args.Required("mode");
        var port = args.Int("port", 0);
        var duration = TimeSpan.FromSeconds(args.Double("duration", 10));
        var warmup = TimeSpan.FromSeconds(args.Double("warmup", 1));
        var connections = Math.Max(1, args.Int("connections", 4));
        var rate = Math.Max(1, args.Double("rate", 1000));
        args.EnsureAllUsed();
        if (port == 0)
        {
            throw new UsageException("--port is required");
        }

        ThreadPool.SetMinThreads(8, 8);
        var target = new IPEndPoint(IPAddress.Loopback, port);
        var result = mode switch
        {
            "bulk" => await BulkAsync(target, connections, warmup, duration),
            "connect" => await ConnectAsync(target, connections, warmup, duration),
            "echo" => await TcpEchoLoad.RunAsync(target, connections, rate, warmup, duration),
            _ => throw new UsageException($"--mode takes bulk, connect or echo (got '{mode}')"),
        };
        // Errors are part of the result (the report shows them); only a run without one fails.
        Console.WriteLine(OpenLoopCommand.ResultPrefix + JsonSerializer.Serialize(result, ResultJson.Compact));
        return 0;
    }

    private static async Task<TcpLoadResult> BulkAsync(IPEndPoint target, int connections, TimeSpan warmup, TimeSpan duration)
    {
        var counter = new TcpLoadSockets.ErrorCounter();
        long received = 0;
        using var stop = new CancellationTokenSource();
        var sockets = new List<Socket>();
        for (var i = 0; i < connections; i++)
        {
            sockets.Add(await TcpLoadSockets.OpenAsync(target));
        }

        var chunk = new byte[BulkWriteBytes];
        Random.Shared.NextBytes(chunk);
        var loops = sockets.SelectMany(socket => new[]
        {
            Task.Run(async () =>
            {
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await socket.SendAsync(chunk, SocketFlags.None, stop.Token);
                    }
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        counter.Add(ex);
                    }
                }
            }),
            Task.Run(async () =>
            {
                var buffer = new byte[BulkWriteBytes];
                try
                {
                    int read;
                    while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
                    {
                        Interlocked.Add(ref received, read);
                    }

                    if (!stop.IsCancellationRequested)
                    {
                        counter.Add(new IOException("the path closed a bulk connection"));
                    }
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        counter.Add(ex);
                    }
                }
            }),
        }).ToList();

        await Task.Delay(warmup);
        var (seconds, bytes) = await TcpLoadSockets.MeasureAsync(duration, () => Interlocked.Read(ref received));
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        return new TcpLoadResult { Mode = "bulk", Seconds = seconds, Bytes = bytes, Errors = counter.Count, FirstError = counter.First };
    }

    private static async Task<TcpLoadResult> ConnectAsync(IPEndPoint target, int workers, TimeSpan warmup, TimeSpan duration)
    {
        var counter = new TcpLoadSockets.ErrorCounter();
        long completed = 0;
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var one = new byte[1];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var socket = await TcpLoadSockets.OpenAsync(target);
                    await socket.SendAsync(one, SocketFlags.None);
                    if (await socket.ReceiveAsync(one, SocketFlags.None) != 1)
                    {
                        throw new IOException("the path closed the connection before the echo");
                    }

                    // A whole short connection: our half-close must come back as the path's close.
                    socket.Shutdown(SocketShutdown.Send);
                    if (await socket.ReceiveAsync(one, SocketFlags.None) != 0)
                    {
                        throw new IOException("the path sent more than the echo");
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (Exception ex) when (ex is SocketException or IOException)
                {
                    counter.Add(ex);
                }
            }
        })).ToList();

        await Task.Delay(warmup);
        var errorsBefore = counter.Count;
        var (seconds, count) = await TcpLoadSockets.MeasureAsync(duration, () => Interlocked.Read(ref completed));
        var errors = counter.Count - errorsBefore;
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        return new TcpLoadResult { Mode = "connect", Seconds = seconds, Connections = count, Errors = errors, FirstError = counter.First };
    }
}
