using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>Waits until a TCP path echoes a probe back whole, failing fast when one of its processes exits.</summary>
public static class TcpPathCheck
{
    private static readonly byte[] Probe = [.. "mesh-bench tcp probe\n"u8];

    public static async Task WaitForEchoAsync(int port, TimeSpan timeout, IReadOnlyList<ManagedProcess> processes)
    {
        var watch = Stopwatch.StartNew();
        var last = "no answer";
        while (watch.Elapsed < timeout)
        {
            foreach (var process in processes)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited with {process.ExitCode} while waiting for 127.0.0.1:{port}:\n{process.Tail()}");
                }
            }

            try
            {
                last = await ProbeAsync(port);
                if (last == "ok")
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                last = ex.Message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"127.0.0.1:{port} did not echo within {timeout.TotalSeconds:0} s (last: {last})");
    }

    private static async Task<string> ProbeAsync(int port)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        await socket.SendAsync(Probe, SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        var received = new MemoryStream();
        var buffer = new byte[256];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray().AsSpan().SequenceEqual(Probe) ? "ok" : $"{received.Length} bytes came back instead of the {Probe.Length}-byte probe";
    }
}
