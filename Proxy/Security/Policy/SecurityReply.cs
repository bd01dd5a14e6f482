using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.Policy;

/// <summary>
/// The replies of Envoy's RBAC and jwt_authn filters: 403 <c>RBAC: access denied</c> and 401 with
/// the token problem; gRPC callers get PERMISSION_DENIED / UNAUTHENTICATED in a trailers-only reply.
/// </summary>
internal static class SecurityReply
{
    public const string AccessDenied = "RBAC: access denied";
    private static readonly ReadOnlyMemory<byte> AccessDeniedBody = "RBAC: access denied"u8.ToArray();

    public static Task Forbidden(HttpContext context) => Write(context, StatusCodes.Status403Forbidden, "7", AccessDenied, AccessDeniedBody);

    public static Task Unauthorized(HttpContext context, string reason)
    {
        var request = context.Request;
        context.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}\", error=\"invalid_token\"";
        return Write(context, StatusCodes.Status401Unauthorized, "16", reason, System.Text.Encoding.UTF8.GetBytes(reason));
    }

    /// <summary>An external authorizer's denial (or its failure): its status, headers and body; gRPC callers get the status mapped to a gRPC code.</summary>
    public static Task ExtAuthz(HttpContext context, int status, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body)
    {
        if (IsGrpc(context))
        {
            var grpcStatus = status switch { 401 => "16", 403 => "7", 429 or 503 => "14", _ => "2" };
            return Write(context, status, grpcStatus, $"ext_authz denied the request ({status})", body);
        }

        var response = context.Response;
        foreach (var (name, value) in headers)
        {
            response.Headers.Append(name, value);
        }

        response.StatusCode = status;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) || body.IsEmpty ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    private static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static Task Write(HttpContext context, int status, string grpcStatus, string message, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        if (context.Request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = grpcStatus;
            response.Headers["grpc-message"] = message;
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        response.ContentType = "text/plain";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }
}
