using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Responses the proxy generates itself, worded like Envoy's so operators recognise them.
/// gRPC callers get a trailers-only gRPC error (HTTP 200 + grpc-status), as Envoy does.
/// </summary>
public static class LocalReply
{
    private static readonly ReadOnlyMemory<byte> NoHealthyUpstreamBody = "no healthy upstream"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> ConnectFailureBody = "upstream connect error or disconnect/reset before headers. reset reason: connection failure"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> ConnectionTerminationBody = "upstream connect error or disconnect/reset before headers. reset reason: connection termination"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> OverflowBody = "upstream connect error or disconnect/reset before headers. reset reason: overflow"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> TimeoutBody = "upstream request timeout"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> NotConfiguredBody = "no mesh configuration received yet"u8.ToArray();

    public static Task NoRoute(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status404NotFound, ResponseFlags.NoRouteFound, default);

    /// <summary>REGISTRY_ONLY and a host the mesh does not know: Envoy's BlackHoleCluster.</summary>
    public static Task BlackHole(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status502BadGateway, ResponseFlags.NoRouteFound, default);

    public static Task NoHealthyUpstream(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status503ServiceUnavailable, ResponseFlags.NoHealthyUpstream, NoHealthyUpstreamBody);

    public static Task ConnectFailure(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status503ServiceUnavailable, ResponseFlags.UpstreamConnectionFailure, ConnectFailureBody);

    public static Task ConnectionTermination(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status503ServiceUnavailable, ResponseFlags.UpstreamConnectionTermination, ConnectionTerminationBody);

    /// <summary>Circuit breaking: the cluster's connection pool is full (Envoy's overflow reply).</summary>
    public static Task Overflow(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status503ServiceUnavailable, ResponseFlags.UpstreamOverflow, OverflowBody);

    public static Task Timeout(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status504GatewayTimeout, ResponseFlags.UpstreamRequestTimeout, TimeoutBody);

    public static Task NotConfigured(HttpContext context, RoutingResult request)
        => Write(context, request, StatusCodes.Status503ServiceUnavailable, ResponseFlags.NoClusterFound, NotConfiguredBody);

    private static Task Write(HttpContext context, RoutingResult request, int status, ResponseFlags flags, ReadOnlyMemory<byte> body)
    {
        request.AddFlags(flags);
        var response = context.Response;
        if (response.HasStarted)
        {
            // Too late for a reply; make sure the caller sees a broken response, not a truncated "success".
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        if (IsGrpc(context.Request))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = GrpcStatusFor(status);
            if (!body.IsEmpty)
            {
                response.Headers["grpc-message"] = System.Text.Encoding.ASCII.GetString(body.Span);
            }

            return Task.CompletedTask;
        }

        response.StatusCode = status;
        if (body.IsEmpty || HttpMethods.IsHead(context.Request.Method))
        {
            response.ContentLength = body.IsEmpty ? 0 : body.Length;
            return Task.CompletedTask;
        }

        response.ContentType = "text/plain";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }

    private static bool IsGrpc(HttpRequest request)
        => request.Headers.ContentType is { Count: > 0 } contentType
           && contentType[0] is { } value
           && value.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>HTTP to gRPC status mapping of the gRPC spec (as Envoy applies to local replies).</summary>
    private static string GrpcStatusFor(int httpStatus) => httpStatus switch
    {
        400 => "13",
        401 => "16",
        403 => "7",
        404 => "12",
        429 or 502 or 503 or 504 => "14",
        _ => "2",
    };
}
