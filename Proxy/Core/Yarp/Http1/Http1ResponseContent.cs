using System.Net;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>An upstream response's content: its body stream as the one read stream (YARP reads it once, as a stream).</summary>
internal sealed class Http1ResponseContent : HttpContent
{
    private Http1ResponseStream? _body;

    public void SetBody(Http1ResponseStream body) => _body = body;

    private Stream Body => _body ?? Stream.Null;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Body.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) => Body.CopyToAsync(stream, cancellationToken);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => Body;

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(Body);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => Task.FromResult(Body);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _body?.Dispose();
        }

        base.Dispose(disposing);
    }
}
