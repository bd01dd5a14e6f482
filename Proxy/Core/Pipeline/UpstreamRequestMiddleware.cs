using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Timeouts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// The upstream exchange of a routed request: route timeout, retries with per-try timeouts,
/// Envoy back-off and host exclusion, body replay, and the mapping of failures to Envoy's
/// replies and response flags. Each attempt runs the rest of the YARP pipeline
/// (load balancing, passive health, forwarder).
/// </summary>
internal sealed partial class UpstreamRequestMiddleware
{
    private readonly RequestDelegate _next;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public UpstreamRequestMiddleware(RequestDelegate next, TimeProvider timeProvider, ILogger<UpstreamRequestMiddleware> logger)
    {
        _next = next;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<MeshRequestFeature>();
        if (request is null)
        {
            return _next(context);
        }

        var action = request.Route?.Action;
        var timeouts = UpstreamTimeouts.For(context, request, action);
        if (action is not null && (timeouts.HasTimers || action.Retry is not null))
        {
            return RunAttemptsAsync(context, request, action, timeouts);
        }

        // A single plain attempt: no async frame here; MeshRoutingMiddleware maps its failure.
        request.Attempts = 1;
        request.SingleAttemptPending = true;
        return _next(context);
    }

    private async Task RunAttemptsAsync(HttpContext context, MeshRequestFeature request, RouteActionModel action, UpstreamTimeouts timeouts)
    {
        try
        {
            await RunAttemptLoopAsync(context, request, action, timeouts);
        }
        finally
        {
            request.EndReservedRetry();
        }
    }

    private async Task RunAttemptLoopAsync(HttpContext context, MeshRequestFeature request, RouteActionModel action, UpstreamTimeouts timeouts)
    {
        var callerAborted = context.RequestAborted;
        using var routeTimer = timeouts.Route > TimeSpan.Zero ? StartTimer(callerAborted, timeouts.Route) : null;
        var exchangeToken = routeTimer?.Token ?? callerAborted;
        var retry = action.Retry;
        var maxAttempts = 1 + (retry?.NumRetries ?? 0);
        request.Retry = retry;

        if (retry is not null)
        {
            request.BodyReplay ??= RequestBodyReplay.Prepare(context);
        }

        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1)
            {
                PrepareRetry(context, request);
            }

            request.Attempts = attempt;
            request.AttemptResult = AttemptResult.None;
            request.RetryPossible = attempt < maxAttempts;

            using var tryTimer = timeouts.PerTry > TimeSpan.Zero ? StartTimer(exchangeToken, timeouts.PerTry) : null;
            context.RequestAborted = tryTimer?.Token ?? exchangeToken;
            try
            {
                await _next(context);
            }
            finally
            {
                context.RequestAborted = callerAborted;
            }

            if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination is { } tried)
            {
                request.RecordTried(tried);
            }

            ForwarderFailure? failure = null;
            if (request.AttemptResult != AttemptResult.RetrySuppressed)
            {
                var error = context.Features.Get<IForwarderErrorFeature>();
                if (error is null)
                {
                    return; // a final response (success or an exhausted retriable one) went to the caller
                }

                if (callerAborted.IsCancellationRequested || routeTimer?.IsCancellationRequested == true)
                {
                    await ReportTimerOrCallerAsync(context, request, routeTimer, callerAborted);
                    return;
                }

                failure = tryTimer?.IsCancellationRequested == true ? ForwarderFailure.Timeout : ForwarderErrorClassifier.Classify(error);
                if (context.Response.HasStarted || retry is null || !IsRetriable(retry, failure.Value))
                {
                    await ReportFailureAsync(context, request, failure.Value, callerAborted);
                    return;
                }

                if (attempt >= maxAttempts || request.BodyReplay?.CanReplay == false)
                {
                    if (attempt >= maxAttempts)
                    {
                        request.AddFlags(ResponseFlags.UpstreamRetryLimitExceeded);
                    }

                    await ReportFailureAsync(context, request, failure.Value, callerAborted);
                    return;
                }

                if (!request.TryReserveRetry())
                {
                    // The cluster's http.maxRetries budget is spent: Envoy gives up with flag UO.
                    request.AddFlags(ResponseFlags.UpstreamOverflow);
                    await ReportFailureAsync(context, request, failure.Value, callerAborted);
                    return;
                }
            }

            Log.Retrying(_logger, request.Cluster?.Name, attempt, failure, context.Response.StatusCode);
            try
            {
                await Task.Delay(RetryBackoff.Next(attempt - 1), _timeProvider, exchangeToken);
            }
            catch (OperationCanceledException)
            {
                await ReportTimerOrCallerAsync(context, request, routeTimer, callerAborted);
                return;
            }
        }
    }

    private static bool IsRetriable(RetryPolicyModel retry, ForwarderFailure failure) => failure switch
    {
        ForwarderFailure.ConnectFailure => retry.ShouldRetryFailure(UpstreamFailure.ConnectFailure),
        ForwarderFailure.Reset => retry.ShouldRetryFailure(UpstreamFailure.Reset),
        ForwarderFailure.RefusedStream => retry.ShouldRetryFailure(UpstreamFailure.RefusedStream),
        ForwarderFailure.Timeout => retry.ShouldRetryFailure(UpstreamFailure.PerTryTimeout),
        _ => false,
    };

    /// <summary>Resets the response and error of the failed attempt and steers load balancing away from tried hosts.</summary>
    private static void PrepareRetry(HttpContext context, MeshRequestFeature request)
    {
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        request.BodyReplay?.Rewind(context);

        var proxyFeature = context.GetReverseProxyFeature();
        var available = request.Cluster!.State.DestinationsState.AvailableDestinations;
        proxyFeature.AvailableDestinations = ExcludeTried(available, request);
    }

    /// <summary>Istio's previous-hosts retry predicate: prefer endpoints not tried yet, when there are any.</summary>
    private static IReadOnlyList<DestinationState> ExcludeTried(IReadOnlyList<DestinationState> available, MeshRequestFeature request)
    {
        if (available.Count <= 1 || request.TriedCount == 0)
        {
            return available;
        }

        List<DestinationState>? fresh = null;
        for (var i = 0; i < available.Count; i++)
        {
            if (!request.WasTried(available[i]))
            {
                (fresh ??= new List<DestinationState>(available.Count)).Add(available[i]);
            }
        }

        return fresh ?? available;
    }

    private static Task ReportTimerOrCallerAsync(HttpContext context, MeshRequestFeature request, CancellationTokenSource? routeTimer, CancellationToken callerAborted)
    {
        if (!callerAborted.IsCancellationRequested && routeTimer?.IsCancellationRequested == true)
        {
            return LocalReply.Timeout(context, request);
        }

        request.AddFlags(ResponseFlags.DownstreamConnectionTermination);
        return Task.CompletedTask;
    }

    /// <summary>Envoy's reply for an attempt that ended without a usable response.</summary>
    internal static Task ReportFailureAsync(HttpContext context, MeshRequestFeature request, ForwarderFailure failure, CancellationToken callerAborted)
    {
        if (callerAborted.IsCancellationRequested)
        {
            request.AddFlags(ResponseFlags.DownstreamConnectionTermination);
            return Task.CompletedTask;
        }

        switch (failure)
        {
            case ForwarderFailure.ConnectFailure:
                return LocalReply.ConnectFailure(context, request);
            case ForwarderFailure.Reset:
            case ForwarderFailure.RefusedStream:
                return LocalReply.ConnectionTermination(context, request);
            case ForwarderFailure.Timeout:
                return LocalReply.Timeout(context, request);
            case ForwarderFailure.NoHealthyUpstream:
                return LocalReply.NoHealthyUpstream(context, request);
            case ForwarderFailure.UpstreamAfterResponseStarted:
                request.AddFlags(ResponseFlags.UpstreamConnectionTermination);
                return Task.CompletedTask;
            case ForwarderFailure.Downstream:
                request.AddFlags(ResponseFlags.DownstreamConnectionTermination);
                return Task.CompletedTask;
            default:
                return Task.CompletedTask;
        }
    }

    private static CancellationTokenSource StartTimer(CancellationToken parent, TimeSpan timeout)
    {
        var timer = CancellationTokenSource.CreateLinkedTokenSource(parent);
        timer.CancelAfter(timeout);
        return timer;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Retrying request to cluster {Cluster} after attempt {Attempt} (failure {Failure}, status {Status}).")]
        public static partial void Retrying(ILogger logger, string? cluster, int attempt, ForwarderFailure? failure, int status);
    }
}
