using System.Globalization;
using Mesh.Proxy.Core.Routing;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Runs when upstream response headers arrive, before anything is sent to the caller: a
/// response the route's retry policy retries has its body suppressed (YARP then discards it)
/// so the attempt loop can try again with a clean response. Part of the router
/// (<see cref="ProxyStage.RetryClassification"/>): it shares the router's <see cref="UpstreamAttempts"/>.
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

        var request = context.HttpContext.Features.Get<RoutingResult>();
        var attempts = request?.Upstream;
        var retry = attempts?.Retry;
        if (request is null || attempts is null || retry is null)
        {
            return default;
        }

        if (!retry.ShouldRetryResponse((int)response.StatusCode, ReadGrpcStatus(response)))
        {
            // A retry that produced a final response no longer counts against the retry budget.
            attempts.EndReservedRetry();
            return default;
        }

        var retryAllowed = attempts.RetryPossible && RequestBodyReplay.Find(context.HttpContext)?.CanReplay != false;
        if (retryAllowed && attempts.TryReserveRetry(request.Cluster))
        {
            context.SuppressResponseBody = true;
            attempts.Result = AttemptResult.RetrySuppressed;
        }
        else
        {
            attempts.EndReservedRetry();
            attempts.Result = AttemptResult.RetriableExhausted;
            if (!attempts.RetryPossible)
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
