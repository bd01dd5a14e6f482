using System.Collections.Frozen;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.Common;

/// <summary>Trailers-only gRPC replies the proxy generates itself, and gRPC status names and mappings.</summary>
internal static class GrpcReply
{
    private static readonly FrozenDictionary<string, int> Codes = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["OK"] = 0,
        ["CANCELLED"] = 1,
        ["UNKNOWN"] = 2,
        ["INVALID_ARGUMENT"] = 3,
        ["DEADLINE_EXCEEDED"] = 4,
        ["NOT_FOUND"] = 5,
        ["ALREADY_EXISTS"] = 6,
        ["PERMISSION_DENIED"] = 7,
        ["RESOURCE_EXHAUSTED"] = 8,
        ["FAILED_PRECONDITION"] = 9,
        ["ABORTED"] = 10,
        ["OUT_OF_RANGE"] = 11,
        ["UNIMPLEMENTED"] = 12,
        ["INTERNAL"] = 13,
        ["UNAVAILABLE"] = 14,
        ["DATA_LOSS"] = 15,
        ["UNAUTHENTICATED"] = 16,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly string[] CodeText = [.. Enumerable.Range(0, 17).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>Parses a gRPC status name ("UNAVAILABLE") or number ("14").</summary>
    public static bool TryParseStatus(string text, out int code)
    {
        if (Codes.TryGetValue(text.Trim(), out code))
        {
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code) && code is >= 0 and <= 16;
    }

    public static bool IsGrpc(HttpRequest request)
        => request.Headers.ContentType is { Count: > 0 } contentType
           && contentType[0] is { } value
           && value.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>HTTP 200 with grpc-status and grpc-message in the headers and no body (trailers-only).</summary>
    public static void Write(HttpResponse response, int grpcStatus, string message)
    {
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = (uint)grpcStatus < CodeText.Length ? CodeText[grpcStatus] : grpcStatus.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = message;
    }

    /// <summary>HTTP to gRPC status mapping of the gRPC spec (Envoy's httpToGrpcStatus).</summary>
    public static int StatusForHttp(int httpStatus) => httpStatus switch
    {
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 or 502 or 503 or 504 => 14,
        _ => 2,
    };

    /// <summary>gRPC to HTTP status mapping (Envoy's grpcToHttpStatus), used to judge gRPC outcomes like HTTP ones.</summary>
    public static int HttpStatusFor(int grpcStatus) => grpcStatus switch
    {
        0 => 200,
        1 => 499,
        2 => 500,
        3 => 400,
        4 => 504,
        5 => 404,
        6 => 409,
        7 => 403,
        8 => 429,
        9 => 400,
        10 => 409,
        11 => 400,
        12 => 501,
        13 => 500,
        14 => 503,
        15 => 500,
        16 => 401,
        _ => 500,
    };
}
