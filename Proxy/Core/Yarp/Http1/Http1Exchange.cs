using System.Runtime.CompilerServices;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// One request/response exchange on a rented connection: the request written and sent (body
/// included, before the response is read, as HttpClient does for HTTP/1.1 without
/// <c>Expect: 100-continue</c>), the response head read; the body stream then owns the connection.
/// Any failure closes the connection.
/// </summary>
internal static class Http1Exchange
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<HttpResponseMessage> SendAsync(Http1ConnectionPool pool, Http1Connection connection, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var bodyLength = Http1RequestWriter.WriteHead(connection, request, pool.HostHeader);
            if (bodyLength is { } length)
            {
                var body = new Http1RequestBodyStream(connection, length);
                await request.Content!.CopyToAsync(body, cancellationToken);
                await body.FinishAsync(cancellationToken);
            }
            else
            {
                await connection.FlushAsync(cancellationToken);
            }

            var head = await Http1ResponseParser.ReadHeadAsync(connection, request, cancellationToken);
            var stream = new Http1ResponseStream(pool, connection, head.Response, head.Framing, head.ContentLength, head.Reusable);
            ((Http1ResponseContent)head.Response.Content).SetBody(stream);
            return head.Response;
        }
        catch (Exception e)
        {
            pool.Discard(connection);
            if (e is IOException && !cancellationToken.IsCancellationRequested)
            {
                // As HttpClient reports a connection that broke under a request.
                throw new HttpRequestException(HttpRequestError.ResponseEnded, $"The upstream connection ({pool.HostHeader}) failed: {e.Message}", e);
            }

            throw;
        }
    }
}
