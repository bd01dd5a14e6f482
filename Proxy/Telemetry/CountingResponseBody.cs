using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// Stands in for the server's response body feature to count the bytes sent to the caller
/// (Istio's <c>istio_response_bytes</c>), whether they are written through the stream (YARP's
/// body copy) or the pipe writer (local replies). Reused per request: no allocation.
/// </summary>
internal sealed class CountingResponseBody : Stream, IHttpResponseBodyFeature
{
    private readonly CountingPipeWriter _writer;
    private IHttpResponseBodyFeature? _inner;

    public CountingResponseBody()
    {
        _writer = new CountingPipeWriter(this);
    }

    public long BytesWritten { get; internal set; }

    public IHttpResponseBodyFeature? Inner => _inner;

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => _writer;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    private IHttpResponseBodyFeature Feature => _inner ?? throw new InvalidOperationException("The response body is not attached.");

    public void Attach(IHttpResponseBodyFeature inner)
    {
        _inner = inner;
        BytesWritten = 0;
    }

    public void Detach() => _inner = null;

    public void DisableBuffering() => Feature.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => Feature.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        BytesWritten += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        return Feature.SendFileAsync(path, offset, count, cancellationToken);
    }

    public Task CompleteAsync() => Feature.CompleteAsync();

    public override void Write(byte[] buffer, int offset, int count)
    {
        BytesWritten += count;
        Feature.Stream.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        BytesWritten += buffer.Length;
        Feature.Stream.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BytesWritten += buffer.Length;
        return Feature.Stream.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => Feature.Stream.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => Feature.Stream.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private sealed class CountingPipeWriter(CountingResponseBody owner) : PipeWriter
    {
        private PipeWriter Inner => owner.Feature.Writer;

        public override void Advance(int bytes)
        {
            owner.BytesWritten += bytes;
            Inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => Inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => Inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => Inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.BytesWritten += source.Length;
            return Inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => Inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => Inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => Inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => Inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => Inner.UnflushedBytes;
    }
}
