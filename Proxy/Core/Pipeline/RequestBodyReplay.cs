using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Keeps a request body replayable for retries the way Envoy does: the body streams to the
/// upstream as it arrives while a copy of up to <see cref="MaxBufferedBytes"/> is kept. A retry
/// replays the copy and continues from the caller's stream. Once more than that was read, the
/// request can no longer be retried (a request whose body was never read still can).
/// One per request at most, kept as an HttpContext feature and shared by everything that needs the
/// body twice: the router's retries and the mirror filter's copies (<see cref="GetOrPrepare"/>).
/// </summary>
public sealed class RequestBodyReplay
{
    /// <summary>Largest body kept for replay (Envoy keeps up to its per-connection buffer limit).</summary>
    public const int MaxBufferedBytes = 64 * 1024;

    private static readonly RequestBodyReplay NoBody = new(null);

    private readonly BodyCopy? _copy;

    private RequestBodyReplay(BodyCopy? copy)
    {
        _copy = copy;
    }

    public bool CanReplay => _copy is null || _copy.CanReplay;

    /// <summary>
    /// Calls <paramref name="callback"/> with the whole body once the caller's body has been read to
    /// its end within the kept limit (at once for a request without a body); never when the body
    /// is larger than what is kept (mirroring then gives up, like Envoy's shadowing).
    /// </summary>
    public void OnBodyComplete(Action<ReadOnlyMemory<byte>> callback)
    {
        if (_copy is null)
        {
            callback(ReadOnlyMemory<byte>.Empty);
            return;
        }

        _copy.OnCompleted(callback);
    }

    /// <summary>The request's body replay, when a stage has prepared one.</summary>
    public static RequestBodyReplay? Find(HttpContext context) => context.Features.Get<RequestBodyReplay>();

    /// <summary>The request's body replay, prepared now (before the body is read) when no stage did yet.</summary>
    public static RequestBodyReplay GetOrPrepare(HttpContext context)
    {
        if (Find(context) is { } replay)
        {
            return replay;
        }

        replay = Prepare(context);
        context.Features.Set(replay);
        return replay;
    }

    /// <summary>A new replay of the request's body (replacing <c>Request.Body</c>); use <see cref="GetOrPrepare"/> in stages.</summary>
    internal static RequestBodyReplay Prepare(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return NoBody;
        }

        var request = context.Request;
        var limit = request.ContentLength is > MaxBufferedBytes ? 0 : MaxBufferedBytes;
        var copy = new BodyCopy(request.Body, limit, (int)Math.Min(request.ContentLength ?? 4096, MaxBufferedBytes));
        request.Body = copy.NewReader();
        return new RequestBodyReplay(copy);
    }

    /// <summary>Gives the next attempt its own reader: the kept copy first, then the rest of the caller's stream.</summary>
    public void Rewind(HttpContext context)
    {
        if (_copy is not null)
        {
            context.Request.Body = _copy.NewReader();
        }
    }

    /// <summary>The caller's body plus the kept prefix. Attempts never read concurrently: YARP finishes an attempt's body copy before it returns.</summary>
    private sealed class BodyCopy(Stream inner, int limit, int initialCapacity)
    {
        private byte[]? _buffer;
        private int _length;
        private bool _overflowed = limit == 0;
        private bool _anyRead;
        private bool _completed;
        private Action<ReadOnlyMemory<byte>>? _onCompleted;

        public bool CanReplay => !_anyRead || !_overflowed;

        public void OnCompleted(Action<ReadOnlyMemory<byte>> callback)
        {
            if (_completed)
            {
                if (!_overflowed)
                {
                    callback(_buffer.AsMemory(0, _length));
                }

                return;
            }

            _onCompleted += callback;
        }

        public Stream NewReader() => new Reader(this);

        private async ValueTask<int> ReadAsync(int position, Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (!_overflowed && position < _length)
            {
                if (destination.IsEmpty)
                {
                    return 0;
                }

                var count = Math.Min(destination.Length, _length - position);
                _buffer.AsMemory(position, count).CopyTo(destination);
                return count;
            }

            if (_completed)
            {
                return 0;
            }

            if (destination.IsEmpty)
            {
                // A zero-byte read waits for data without consuming it (YARP's StreamCopier does
                // this); its 0 is not the end of the body.
                return await inner.ReadAsync(destination, cancellationToken);
            }

            var read = await inner.ReadAsync(destination, cancellationToken);
            _anyRead = true;
            if (read == 0)
            {
                _completed = true;
                if (!_overflowed && _onCompleted is { } onCompleted)
                {
                    _onCompleted = null;
                    onCompleted(_buffer.AsMemory(0, _length));
                }

                return 0;
            }

            Keep(destination.Span[..read]);
            return read;
        }

        private void Keep(ReadOnlySpan<byte> data)
        {
            if (_overflowed)
            {
                return;
            }

            if (_length + data.Length > limit)
            {
                _overflowed = true;
                _buffer = null;
                return;
            }

            if (_buffer is null || _buffer.Length < _length + data.Length)
            {
                var grown = new byte[Math.Min(limit, Math.Max(Math.Max(initialCapacity, 1024), Math.Max(_length + data.Length, (_buffer?.Length ?? 0) * 2)))];
                _buffer?.AsSpan(0, _length).CopyTo(grown);
                _buffer = grown;
            }

            data.CopyTo(_buffer.AsSpan(_length));
            _length += data.Length;
        }

        private sealed class Reader(BodyCopy copy) : Stream
        {
            private int _position;

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var read = await copy.ReadAsync(_position, buffer, cancellationToken);
                _position += read;
                return read;
            }

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
                => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

            public override void Flush()
            {
            }

            public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
