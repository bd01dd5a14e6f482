using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>How an HTTP/1.1 response body ends (RFC 9112 §6.3).</summary>
internal enum Http1BodyFraming
{
    /// <summary>No body: HEAD, 204, 304, or Content-Length: 0.</summary>
    None,
    ContentLength,
    Chunked,

    /// <summary>No length and not chunked: the body ends when the upstream closes the connection.</summary>
    CloseDelimited,
}

/// <summary>
/// The body of one upstream response, read straight from its connection. The connection goes back
/// to its pool when the body was read to its end and the exchange allows reuse; any other end (a
/// failure, a cancelled read, disposal before the end) closes it, so a half-read response never
/// leaves bytes for the next request.
/// </summary>
internal sealed class Http1ResponseStream : Stream
{
    private readonly Http1ConnectionPool _pool;
    private readonly HttpResponseMessage _response;
    private readonly Http1BodyFraming _framing;
    private readonly bool _reusable;
    private Http1Connection? _connection;
    private long _remaining;
    private bool _expectChunkEnd;

    public Http1ResponseStream(Http1ConnectionPool pool, Http1Connection connection, HttpResponseMessage response, Http1BodyFraming framing, long contentLength, bool reusable)
    {
        _pool = pool;
        _connection = connection;
        _response = response;
        _framing = framing;
        _remaining = framing == Http1BodyFraming.ContentLength ? contentLength : 0;
        _reusable = reusable && framing != Http1BodyFraming.CloseDelimited;
        if (framing == Http1BodyFraming.None)
        {
            Complete();
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var connection = _connection;
        if (connection is null || buffer.IsEmpty)
        {
            return 0;
        }

        try
        {
            switch (_framing)
            {
                case Http1BodyFraming.ContentLength:
                    {
                        var n = await connection.ReadBodyAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
                        if (n == 0)
                        {
                            throw Ended();
                        }

                        _remaining -= n;
                        if (_remaining == 0)
                        {
                            Complete();
                        }

                        return n;
                    }

                case Http1BodyFraming.CloseDelimited:
                    {
                        var n = await connection.ReadBodyAsync(buffer, cancellationToken);
                        if (n == 0)
                        {
                            Complete();
                        }

                        return n;
                    }

                default:
                    return await ReadChunkedAsync(connection, buffer, cancellationToken);
            }
        }
        catch
        {
            Abort();
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadChunkedAsync(Http1Connection connection, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_remaining == 0)
        {
            if (_expectChunkEnd)
            {
                var end = await connection.ReadLineAsync(cancellationToken) ?? throw Ended();
                if (end.Length != 0)
                {
                    throw Invalid("chunk data longer than its size");
                }

                _expectChunkEnd = false;
            }

            var line = await connection.ReadLineAsync(cancellationToken) ?? throw Ended();
            var size = ParseChunkSize(connection.Slice(line.Start, line.Length));
            if (size == 0)
            {
                await ReadTrailersAsync(connection, cancellationToken);
                Complete();
                return 0;
            }

            _remaining = size;
        }

        var n = await connection.ReadBodyAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        if (n == 0)
        {
            throw Ended();
        }

        _remaining -= n;
        _expectChunkEnd = _remaining == 0;
        return n;
    }

    /// <summary>Trailer fields after the last chunk become the response's trailing headers (YARP passes them on where the caller's protocol can carry them).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadTrailersAsync(Http1Connection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await connection.ReadLineAsync(cancellationToken) ?? throw Ended();
            if (line.Length == 0)
            {
                return;
            }

            var (name, value) = Http1ResponseParser.ParseField(connection.Slice(line.Start, line.Length));
            _response.TrailingHeaders.TryAddWithoutValidation(name, value);
        }
    }

    private static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        var extension = line.IndexOf((byte)';');
        if (extension >= 0)
        {
            line = line[..extension];
        }

        line = line.Trim(" \t"u8);
        if (line.IsEmpty || line.Length > 15 || !Utf8Parser.TryParse(line, out ulong size, out var consumed, 'x') || consumed != line.Length)
        {
            throw Invalid("invalid chunk size");
        }

        return (long)size;
    }

    private void Complete()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null)
        {
            return;
        }

        if (_reusable)
        {
            _pool.Return(connection);
        }
        else
        {
            _pool.Discard(connection);
        }
    }

    private void Abort()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            _pool.Discard(connection);
        }
    }

    private static HttpIOException Ended() => new(HttpRequestError.ResponseEnded, "The upstream closed the connection before the response body ended.");

    private static HttpIOException Invalid(string what) => new(HttpRequestError.InvalidResponse, $"The upstream's chunked response body is malformed: {what}.");

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Abort();
        }

        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
