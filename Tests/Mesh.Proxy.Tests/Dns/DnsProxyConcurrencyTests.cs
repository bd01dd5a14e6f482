using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net.Dns;
using Mesh.Proxy.Dns.Model;
using Mesh.Proxy.Dns.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Proxy.Tests.Dns;

/// <summary>
/// The DNS proxy under many UDP queries at once, over real sockets (127.0.0.1, port 0): mesh names,
/// names of the mesh's domain that do not exist (NXDOMAIN) and names forwarded to an upstream that
/// answers them out of order, sent with no retry — from one client socket (as glibc sends A and AAAA
/// together) and from a socket per query. Every query must get exactly one answer, to its own question:
/// a client would retry a lost one, but a proxy that loses answers makes every lookup of a busy app slow.
/// </summary>
public sealed class DnsProxyConcurrencyTests : IAsyncLifetime
{
    // Queries in flight at once: enough to keep the proxy's receive loop, its answerers and its
    // upstream forwarding busy together, few enough that the kernel's socket buffers never overflow
    // (a datagram dropped there is UDP, not the proxy).
    private const int InFlight = 48;

    // How long a query may go unanswered before the test names it lost: a guard against hanging,
    // far above any answer time on a loaded machine (the proxy answers in well under a millisecond).
    private static readonly TimeSpan Lost = TimeSpan.FromSeconds(60);

    private DnsProxyServer? _upstream;
    private DnsProxyServer? _proxy;
    private DnsNameTable? _table;
    private int _forwarded;

    public Task InitializeAsync()
    {
        // The upstream: host-<n>.example.com is 192.0.2.<n>, answered after a yield (forwarded queries
        // overlap each other and the proxy's own answers); it counts what it was asked.
        _upstream = DnsProxyServer.Start(new IPEndPoint(IPAddress.Loopback, 0), async (query, _) =>
        {
            Interlocked.Increment(ref _forwarded);
            await Task.Yield();
            var response = query.CreateResponseInstance();
            var question = query.Questions.Single();
            var host = question.Name.Labels[0];
            response.AnswerRecords.Add(new ARecord(question.Name, 300, IPAddress.Parse("192.0.2." + host["host-".Length..])));
            return response;
        }, NullLogger.Instance);

        _table = DnsProxyTests.Table();
        var forwarder = new DnsForwarder([_upstream.EndPoint], TimeSpan.FromSeconds(30));
        _proxy = DnsProxyServer.Start(new IPEndPoint(IPAddress.Loopback, 0), new DnsAnswerer(() => _table, forwarder).AnswerAsync, NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await (_proxy?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_upstream?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_query_of_many_at_once_gets_exactly_one_answer_to_its_own_question(bool oneSocket)
    {
        var queries = Enumerable.Range(0, 600).Select(Query).ToList();
        await using var client = new UdpQueries(_proxy!.EndPoint, oneSocket);

        await Parallel.ForEachAsync(queries, new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (query, _) => await client.AskAsync(query, Lost));

        var wrong = queries.Select(q => (q, answers: client.AnswersTo(q.Id))).Where(a => a.answers.Count != 1 || !a.q.IsAnsweredBy(a.answers[0])).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {queries.Count} queries were not answered exactly once, correctly:\n" +
            string.Join('\n', wrong.Take(20).Select(w => $"  {w.q.Name}: {w.answers.Count} answer(s){(w.answers.Count > 0 ? ", " + Describe(w.answers[0]) : "")}")));
        Assert.Equal(queries.Count(q => q.Name.EndsWith("example.com", StringComparison.Ordinal)), Volatile.Read(ref _forwarded));
    }

    [Fact]
    public async Task Queries_on_one_tcp_connection_are_each_answered_and_the_connection_stays_open_between_them()
    {
        // As DnsClient.NET and glibc reuse a TCP connection: one query at a time, then many pipelined.
        var queries = Enumerable.Range(0, 900).Select(Query).ToList();
        using var connection = new TcpQueries(_proxy!.EndPoint);

        foreach (var query in queries.Take(300))
        {
            await connection.AskAsync(query, Lost);
        }

        await Parallel.ForEachAsync(queries.Skip(300), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (query, _) => await connection.AskAsync(query, Lost));

        var wrong = queries.Select(q => (q, answers: connection.AnswersTo(q.Id))).Where(a => a.answers.Count != 1 || !a.q.IsAnsweredBy(a.answers[0])).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {queries.Count} queries were not answered exactly once, correctly{(connection.Closed ? "; the proxy closed the connection" : "")}:\n" +
            string.Join('\n', wrong.Take(20).Select(w => $"  {w.q.Name}: {w.answers.Count} answer(s)")));
        Assert.False(connection.Closed, "the proxy closed the connection");
    }

    /// <summary>The i-th query: a third mesh names, a third NXDOMAIN in the mesh's domain, a third forwarded.</summary>
    private static ExpectedAnswer Query(int i) => (i % 3) switch
    {
        0 => new ExpectedAnswer((ushort)(i + 1), i % 2 == 0 ? "reviews.default.svc.cluster.local" : "httpbin.org", 0, i % 2 == 0 ? DnsProxyTests.ReviewsVip : DnsProxyTests.HttpbinVip),
        1 => new ExpectedAnswer((ushort)(i + 1), $"missing-{i}.default.svc.cluster.local", 3, null),
        _ => new ExpectedAnswer((ushort)(i + 1), $"host-{i % 250 + 1}.example.com", 0, $"192.0.2.{i % 250 + 1}"),
    };

    private static string Describe(byte[] answer)
    {
        var parsed = ParsedAnswer.Of(answer);
        return $"rcode {parsed.ReturnCode}, question {parsed.Question}, A {parsed.Address ?? "none"}";
    }

    private sealed record ExpectedAnswer(ushort Id, string Name, int ReturnCode, string? Address)
    {
        public bool IsAnsweredBy(byte[] answer)
        {
            var parsed = ParsedAnswer.Of(answer);
            return parsed.ReturnCode == ReturnCode && parsed.Question == Name && parsed.Address == Address;
        }
    }

    /// <summary>What the test reads of an answer (RFC 1035 §4.1): its code, its question, and its first A record.</summary>
    private sealed record ParsedAnswer(int ReturnCode, string Question, string? Address)
    {
        public static ParsedAnswer Of(byte[] message)
        {
            var position = 12;
            var question = ReadName(message, ref position);
            position += 4; // type, class
            string? address = null;
            var answers = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(6));
            for (var i = 0; i < answers && address is null; i++)
            {
                ReadName(message, ref position);
                var type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(position));
                var length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(position + 8));
                position += 10;
                if (type == 1 && length == 4)
                {
                    address = new IPAddress(message.AsSpan(position, 4)).ToString();
                }

                position += length;
            }

            return new ParsedAnswer(message[3] & 0x0F, question, address);
        }

        private static string ReadName(byte[] message, ref int position)
        {
            var labels = new List<string>();
            var end = -1;
            var at = position;
            while (message[at] != 0)
            {
                if ((message[at] & 0xC0) == 0xC0)
                {
                    end = end < 0 ? at + 2 : end;
                    at = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at)) & 0x3FFF;
                    continue;
                }

                labels.Add(Encoding.ASCII.GetString(message, at + 1, message[at]));
                at += message[at] + 1;
            }

            position = end < 0 ? at + 1 : end;
            return string.Join('.', labels).ToLowerInvariant();
        }
    }

    /// <summary>
    /// Sends queries over one TCP connection (each with its two-byte length, RFC 1035 §4.2.2) and keeps
    /// every message that comes back, by its ID; <see cref="Closed"/> once the proxy ends the connection.
    /// </summary>
    private sealed class TcpQueries : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly SemaphoreSlim _sending = new(1);
        private readonly Answers _answers = new();
        private readonly Task _receiving;

        public TcpQueries(IPEndPoint server)
        {
            _socket.Connect(server);
            _receiving = ReceiveAsync();
        }

        public bool Closed { get; private set; }

        public async Task AskAsync(ExpectedAnswer query, TimeSpan lost)
        {
            var answered = _answers.Expect(query.Id);
            var message = Encode(query.Id, query.Name);
            await _sending.WaitAsync();
            try
            {
                await _socket.SendAsync((byte[])[(byte)(message.Length >> 8), (byte)message.Length, .. message]);
            }
            finally
            {
                _sending.Release();
            }

            await Task.WhenAny(answered, _receiving).WaitAsync(lost).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        public IReadOnlyList<byte[]> AnswersTo(ushort id) => _answers.To(id);

        public void Dispose()
        {
            _socket.Dispose();
            _sending.Dispose();
        }

        private async Task ReceiveAsync()
        {
            try
            {
                var length = new byte[2];
                while (await ReadAsync(length))
                {
                    var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    if (!await ReadAsync(message))
                    {
                        break;
                    }

                    _answers.Add(message);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                // Reset by the proxy, or disposed at the end of the test.
            }

            Closed = true;
        }

        private async Task<bool> ReadAsync(Memory<byte> buffer)
        {
            while (buffer.Length > 0)
            {
                var read = await _socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    return false;
                }

                buffer = buffer[read..];
            }

            return true;
        }
    }

    /// <summary>Every message that came back, by its ID, and the queries waiting for theirs.</summary>
    private sealed class Answers
    {
        private readonly ConcurrentDictionary<ushort, List<byte[]>> _answers = new();
        private readonly ConcurrentDictionary<ushort, TaskCompletionSource> _waiting = new();

        public Task Expect(ushort id) => _waiting.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public void Add(byte[] message)
        {
            var id = BinaryPrimitives.ReadUInt16BigEndian(message);
            var answers = _answers.GetOrAdd(id, _ => []);
            lock (answers)
            {
                answers.Add(message);
            }

            if (_waiting.TryGetValue(id, out var waiting))
            {
                waiting.TrySetResult();
            }
        }

        public IReadOnlyList<byte[]> To(ushort id)
        {
            if (!_answers.TryGetValue(id, out var answers))
            {
                return [];
            }

            lock (answers)
            {
                return [.. answers];
            }
        }
    }

    /// <summary>
    /// Sends queries over UDP and keeps every datagram that comes back, by its ID: one socket for all
    /// (its receive loop matches answers to queries), or a socket per query.
    /// </summary>
    private sealed class UdpQueries : IAsyncDisposable
    {
        private readonly IPEndPoint _server;
        private readonly Socket? _shared;
        private readonly Task? _receiving;
        private readonly Answers _answers = new();

        public UdpQueries(IPEndPoint server, bool oneSocket)
        {
            _server = server;
            if (oneSocket)
            {
                _shared = Bind();
                _receiving = ReceiveAsync(_shared);
            }
        }

        public async Task AskAsync(ExpectedAnswer query, TimeSpan lost)
        {
            var answered = _answers.Expect(query.Id);
            if (_shared is { } shared)
            {
                await shared.SendToAsync(Encode(query.Id, query.Name), _server);
                await answered.WaitAsync(lost).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            var socket = Bind();
            var receiving = ReceiveAsync(socket);
            await socket.SendToAsync(Encode(query.Id, query.Name), _server);
            await answered.WaitAsync(lost).ContinueWith(_ => { }, TaskScheduler.Default);
            socket.Dispose();
            await receiving;
        }

        public IReadOnlyList<byte[]> AnswersTo(ushort id) => _answers.To(id);

        public async ValueTask DisposeAsync()
        {
            _shared?.Dispose();
            await (_receiving ?? Task.CompletedTask);
        }

        private static Socket Bind()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return socket;
        }

        private async Task ReceiveAsync(Socket socket)
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
                    _answers.Add(buffer[..received.ReceivedBytes]);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                // The socket was closed: the test is over (or this query's socket is done).
            }
        }
    }

    /// <summary>A query for <paramref name="name"/> (A, recursion desired, no EDNS).</summary>
    private static byte[] Encode(ushort id, string name)
    {
        var message = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange([0, 0, 1, 0, 1]); // root; type A; class IN
        return [.. message];
    }
}
