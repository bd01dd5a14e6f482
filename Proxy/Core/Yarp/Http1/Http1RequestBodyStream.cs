using System.Runtime.CompilerServices;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// The write side of an upstream request body: YARP's request content copies the caller's body
/// into it. Bytes go through the connection's write buffer (the head and a small body leave in one
/// send); chunked when the length is unknown (RFC 9112 §7.1), else exactly Content-Length bytes.
/// </summary>
internal sealed class Http1RequestBodyStream(Http1Connection connection, long length) : Stream
{
    private readonly bool _chunked = length < 0;
    private long _sent;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        _sent += buffer.Length;
        if (_chunked)
        {
            connection.WriteHex(buffer.Length);
            connection.WriteCrLf();
            await connection.WriteBodyAsync(buffer, cancellationToken);
            connection.WriteCrLf();
            return;
        }

        if (_sent > length)
        {
            throw new HttpRequestException($"The request body is longer than its Content-Length ({length}).");
        }

        await connection.WriteBodyAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Streaming callers (gRPC-style bodies) flush as they go; the bytes leave now.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => connection.FlushAsync(cancellationToken).AsTask();

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Ends the body (the last chunk) and sends what is buffered.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        if (_chunked)
        {
            connection.WriteBytes("0\r\n\r\n"u8);
        }
        else if (_sent != length)
        {
            throw new HttpRequestException($"The request body ended after {_sent} of its {length} bytes (Content-Length).");
        }

        await connection.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
