namespace Mesh.Proxy.Pipeline;

/// <summary>
/// Wraps a request body that cannot be buffered for replay and remembers whether any of it
/// was consumed: an attempt that failed before reading the body (connect failure) can still
/// be retried safely.
/// </summary>
internal sealed class ReadTrackingStream : Stream
{
    private readonly Stream _inner;
    private volatile bool _hasRead;

    public ReadTrackingStream(Stream inner)
    {
        _inner = inner;
    }

    public bool HasRead => _hasRead;

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        _hasRead = true;
        return _inner.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        _hasRead = true;
        return _inner.Read(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _hasRead = true;
        return _inner.ReadAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hasRead = true;
        return _inner.ReadAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
