using System.Net;
using System.Net.Sockets;
using Mesh.Bench.Tool.Load;

namespace Mesh.Bench.Tool.Tcp;

/// <summary>What the tcp-load modes share: connecting, the measured window's markers, counting failures.</summary>
internal static class TcpLoadSockets
{
    /// <summary>Marks the measured window and reads a counter at both ends of it.</summary>
    public static async Task<(double Seconds, long Delta)> MeasureAsync(TimeSpan duration, Func<long> read)
    {
        Console.WriteLine(OpenLoopCommand.StartMarker);
        var before = read();
        var started = PreciseClock.NowNs();
        await Task.Delay(duration);
        var after = read();
        var seconds = (PreciseClock.NowNs() - started) / 1e9;
        Console.WriteLine(OpenLoopCommand.EndMarker);
        return (seconds, after - before);
    }

    public static async Task<Socket> OpenAsync(IPEndPoint target)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Counts failures and keeps the first one's message.</summary>
    public sealed class ErrorCounter
    {
        private long _count;
        private string? _first;

        public long Count => Interlocked.Read(ref _count);

        public string? First => Volatile.Read(ref _first);

        public void Add(Exception ex)
        {
            Interlocked.Increment(ref _count);
            Interlocked.CompareExchange(ref _first, ex.Message, null);
        }
    }
}
