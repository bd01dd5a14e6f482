using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// One upstream HTTP/1.1 connection of the mesh's client (<see cref="MeshHttp1Handler"/>): a socket,
/// TLS on it where the cluster says so, one read buffer and one write buffer (per connection).
/// One request at a time; the response body stream hands it back to its pool only when the
/// response was read to its end (<see cref="Http1ResponseStream"/>).
/// </summary>
internal sealed class Http1Connection : IDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly int _maxHeaderBytes;
    private byte[] _read;
    private int _readStart;
    private int _readEnd;
    private byte[] _write;
    private int _written;
    private bool _disposed;

    public Http1Connection(Socket socket, Stream stream, int maxHeaderBytes)
    {
        _socket = socket;
        _stream = stream;
        _maxHeaderBytes = Math.Max(maxHeaderBytes, BufferSize);
        // Per connection, not per request; plain arrays, since a read the upstream never completes
        // may still hold one when a cancelled request disposes the connection.
        _read = new byte[BufferSize];
        _write = new byte[BufferSize];
    }

    /// <summary>When it went back to its pool (Environment.TickCount64), for the idle timeout.</summary>
    public long IdleSince { get; set; }

    /// <summary>True once it served a request: a failure before any response byte may then be a stale connection.</summary>
    public bool Reused { get; set; }

    /// <summary>
    /// An idle connection is usable when nothing is readable on it: readable means the upstream
    /// closed it (or sent bytes no request asked for, which leaves it unusable too).
    /// </summary>
    public bool LooksAlive()
    {
        try
        {
            return _readStart == _readEnd && !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Set once the current exchange received a response byte.</summary>
    public bool ResponseStarted { get; set; }

    public int Buffered => _readEnd - _readStart;

    // ---- writing ----

    public void WriteAscii(string text)
    {
        var span = Reserve(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            // Header values are Latin-1 on the wire (RFC 9110 §5.5); anything wider becomes '?'.
            var c = text[i];
            span[i] = c <= 0xFF ? (byte)c : (byte)'?';
        }

        _written += text.Length;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _written += bytes.Length;
    }

    public void WriteCrLf() => WriteBytes("\r\n"u8);

    public void WriteHex(long value) => WriteAscii(value.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    public void WriteDecimal(long value)
    {
        var span = Reserve(20);
        value.TryFormat(span, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        _written += n;
    }

    /// <summary>Appends body bytes, sending the buffer whenever it fills.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var room = _write.Length - _written;
            if (room == 0)
            {
                await FlushAsync(cancellationToken);
                room = _write.Length;
            }

            var n = Math.Min(room, data.Length);
            data.Span[..n].CopyTo(_write.AsSpan(_written));
            _written += n;
            data = data[n..];
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_written > 0)
        {
            var count = _written;
            _written = 0;
            await _stream.WriteAsync(_write.AsMemory(0, count), cancellationToken);
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (_written + count > _write.Length)
        {
            var bigger = new byte[Math.Max(_write.Length * 2, _written + count)];
            _write.AsSpan(0, _written).CopyTo(bigger);
            _write = bigger;
        }

        return _write.AsSpan(_written, count);
    }

    // ---- reading ----

    /// <summary>The buffered bytes not consumed yet.</summary>
    public ReadOnlySpan<byte> Unread => _read.AsSpan(_readStart, _readEnd - _readStart);

    public void Consume(int count) => _readStart += count;

    /// <summary>Reads more bytes into the buffer (compacting or growing it); false at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_readStart > 0)
        {
            _read.AsSpan(_readStart, _readEnd - _readStart).CopyTo(_read);
            _readEnd -= _readStart;
            _readStart = 0;
        }

        if (_readEnd == _read.Length)
        {
            if (_read.Length >= _maxHeaderBytes)
            {
                throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "The upstream's response header section or chunk line exceeds the limit.");
            }

            var bigger = new byte[_read.Length * 2];
            _read.AsSpan(0, _readEnd).CopyTo(bigger);
            _read = bigger;
        }

        var n = await _stream.ReadAsync(_read.AsMemory(_readEnd), cancellationToken);
        _readEnd += n;
        return n > 0;
    }

    /// <summary>Body bytes: from the buffer first, else straight from the stream into the caller's memory.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_readStart < _readEnd)
        {
            var n = Math.Min(destination.Length, _readEnd - _readStart);
            _read.AsSpan(_readStart, n).CopyTo(destination.Span);
            _readStart += n;
            return n;
        }

        return await _stream.ReadAsync(destination, cancellationToken);
    }

    /// <summary>
    /// The next CRLF-terminated line (without CRLF) as a range of the buffer, consumed; null at end of stream.
    /// The range stays valid until the next read.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<(int Start, int Length)?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var searched = 0;
        while (true)
        {
            var index = _read.AsSpan(_readStart + searched, _readEnd - _readStart - searched).IndexOf((byte)'\n');
            if (index >= 0)
            {
                var start = _readStart;
                var end = _readStart + searched + index;
                _readStart = end + 1;
                var length = end - start;
                if (length > 0 && _read[start + length - 1] == '\r')
                {
                    length--;
                }

                return (start, length);
            }

            searched = _readEnd - _readStart;
            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    public ReadOnlySpan<byte> Slice(int start, int length) => _read.AsSpan(start, length);

    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // Closing a connection the upstream already broke.
        }

        _socket.Dispose();
    }
}
