using System.Globalization;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Runs when upstream response headers arrive, before anything is sent to the caller: a
/// response the route's retry policy retries has its body suppressed (YARP then discards it)
/// so the attempt loop can try again with a clean response.
/// </summary>
internal sealed class UpstreamResponseClassifier : ResponseTransform
{
    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        var response = context.ProxyResponse;
        if (response is null)
        {
            return default;
        }

        var request = context.HttpContext.Features.Get<MeshRequestFeature>();
        var retry = request?.Retry;
        if (request is null || retry is null)
        {
            return default;
        }

        if (!retry.ShouldRetryResponse((int)response.StatusCode, ReadGrpcStatus(response)))
        {
            // A retry that produced a final response no longer counts against the retry budget.
            request.EndReservedRetry();
            return default;
        }

        var retryAllowed = request.RetryPossible && request.BodyReplay?.CanReplay != false;
        if (retryAllowed && request.TryReserveRetry())
        {
            context.SuppressResponseBody = true;
            request.AttemptResult = AttemptResult.RetrySuppressed;
        }
        else
        {
            request.EndReservedRetry();
            request.AttemptResult = AttemptResult.RetriableExhausted;
            if (!request.RetryPossible)
            {
                request.AddFlags(ResponseFlags.UpstreamRetryLimitExceeded);
            }
            else if (retryAllowed)
            {
                // The cluster's http.maxRetries budget is spent: pass the response on, flag UO (Envoy's retry overflow).
                request.AddFlags(ResponseFlags.UpstreamOverflow);
            }
        }

        return default;
    }

    /// <summary>grpc-status of a trailers-only response (the only gRPC status visible before the body); -1 if absent.</summary>
    private static int ReadGrpcStatus(HttpResponseMessage response)
    {
        if (response.Headers.NonValidated.TryGetValues("grpc-status", out var values))
        {
            foreach (var value in values)
            {
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : -1;
            }
        }

        return -1;
    }
}
