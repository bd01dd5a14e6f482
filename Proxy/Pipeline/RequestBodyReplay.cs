using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Pipeline;

/// <summary>
/// Makes a request body replayable for retries when that is cheap and safe: no body, or a small
/// body with a known Content-Length (buffered up front). Any other body is forwarded as a stream
/// and an attempt is retried only if it never started reading it.
/// </summary>
internal sealed class RequestBodyReplay
{
    /// <summary>Largest body buffered to make a request retriable (Envoy buffers up to its connection limit).</summary>
    public const int MaxBufferedBytes = 64 * 1024;

    private static readonly RequestBodyReplay NoBody = new(null, 0, null);

    private readonly byte[]? _buffer;
    private readonly int _length;
    private readonly ReadTrackingStream? _streaming;

    private RequestBodyReplay(byte[]? buffer, int length, ReadTrackingStream? streaming)
    {
        _buffer = buffer;
        _length = length;
        _streaming = streaming;
    }

    public bool CanReplay => _streaming is null || !_streaming.HasRead;

    public static async ValueTask<RequestBodyReplay> PrepareAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return NoBody;
        }

        if (request.ContentLength is { } length and >= 0 and <= MaxBufferedBytes)
        {
            var buffer = new byte[length];
            var read = await request.Body.ReadAtLeastAsync(buffer, (int)length, throwOnEndOfStream: false, cancellationToken);
            var replay = new RequestBodyReplay(buffer, read, null);
            replay.Rewind(context);
            return replay;
        }

        var streaming = new ReadTrackingStream(request.Body);
        request.Body = streaming;
        return new RequestBodyReplay(null, 0, streaming);
    }

    /// <summary>Gives the next attempt a fresh reader over the buffered body (earlier attempts may still hold theirs).</summary>
    public void Rewind(HttpContext context)
    {
        if (_buffer is not null)
        {
            context.Request.Body = new MemoryStream(_buffer, 0, _length, writable: false);
        }
    }
}
