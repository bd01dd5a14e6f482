using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>
/// An upstream on 127.0.0.1 that answers with exactly the bytes a test scripts, per accepted
/// connection (the script gets the connection's index and its stream): for the mesh HTTP/1.1
/// client's parser and pool edge cases (chunked trailers, close-delimited bodies, connections the
/// upstream closes), which no well-behaved server produces on demand.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, UpstreamConnection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;
    private int _accepted;

    public ScriptedUpstream(Func<int, UpstreamConnection, Task> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far: keep-alive reuse shows as fewer connections than requests.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Request heads received, over all connections, in order.</summary>
    public List<string> Requests { get; } = [];

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var index = Interlocked.Increment(ref _accepted) - 1;
                lock (_connections)
                {
                    _connections.Add(RunAsync(index, client));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(int index, TcpClient client)
    {
        using (client)
        {
            try
            {
                await _script(index, new UpstreamConnection(client.GetStream(), this));
            }
            catch (IOException)
            {
                // The client went away: the script ends with it.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
    }

    /// <summary>One accepted connection: reads request heads (and bodies), writes raw bytes.</summary>
    internal sealed class UpstreamConnection(NetworkStream stream, ScriptedUpstream upstream)
    {
        private readonly List<byte> _pending = [];

        public NetworkStream Stream => stream;

        /// <summary>The next request head (through the blank line), or null when the client closed the connection.</summary>
        public async Task<string?> ReadHeadAsync()
        {
            var buffer = new byte[4096];
            while (true)
            {
                var end = IndexOf(_pending, "\r\n\r\n"u8.ToArray());
                if (end >= 0)
                {
                    var head = Encoding.Latin1.GetString([.. _pending.GetRange(0, end + 4)]);
                    _pending.RemoveRange(0, end + 4);
                    lock (upstream.Requests)
                    {
                        upstream.Requests.Add(head);
                    }

                    return head;
                }

                var n = await stream.ReadAsync(buffer);
                if (n == 0)
                {
                    return null;
                }

                _pending.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }

        /// <summary>Raw bytes that follow the head (a request body), until <paramref name="terminator"/> was read.</summary>
        public async Task<string> ReadUntilAsync(string terminator)
        {
            var buffer = new byte[4096];
            var marker = Encoding.Latin1.GetBytes(terminator);
            while (IndexOf(_pending, marker) is var end && end < 0)
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0)
                {
                    throw new IOException("closed before " + terminator);
                }

                _pending.AddRange(buffer.AsSpan(0, n).ToArray());
            }

            var stop = IndexOf(_pending, marker) + marker.Length;
            var text = Encoding.Latin1.GetString([.. _pending.GetRange(0, stop)]);
            _pending.RemoveRange(0, stop);
            return text;
        }

        public async Task WriteAsync(string text) => await stream.WriteAsync(Encoding.Latin1.GetBytes(text));

        public async Task WriteAsync(byte[] bytes) => await stream.WriteAsync(bytes);

        private static int IndexOf(List<byte> haystack, byte[] needle)
        {
            for (var i = 0; i + needle.Length <= haystack.Count; i++)
            {
                var match = true;
                for (var j = 0; j < needle.Length && match; j++)
                {
                    match = haystack[i + j] == needle[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
