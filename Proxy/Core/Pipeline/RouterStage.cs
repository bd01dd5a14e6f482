using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// <see cref="ProxyStage.Router"/> (Envoy's router filter): runs the route's filters
/// (<see cref="ProxyStage.Fault"/> … <see cref="ProxyStage.DirectResponse"/>), picks the weighted
/// cluster, and makes the upstream exchange: route timeout, retries with per-try timeouts, Envoy
/// back-off and host exclusion, body replay, and the mapping of failures to Envoy's replies and
/// response flags. Each attempt runs the per-attempt stages after it (connection pool, load
/// balancing, passive health, forwarder). Its per-request state is <see cref="UpstreamAttempts"/>.
/// </summary>
internal sealed partial class RouterStage
{
    private readonly RequestDelegate _next;
    private readonly TimeProvider _timeProvider;
    private readonly PassthroughForwarder _passthrough;
    private readonly ListenerSet _listeners;
    private readonly ILogger _logger;

    public RouterStage(RequestDelegate next, TimeProvider timeProvider, PassthroughForwarder passthrough, ListenerSet listeners, ILogger<RouterStage> logger)
    {
        _next = next;
        _timeProvider = timeProvider;
        _passthrough = passthrough;
        _listeners = listeners;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<RoutingResult>()!;
        if (request.Cluster is { } fixedCluster)
        {
            return ForwardAsync(context, request, fixedCluster);
        }

        var route = request.Route!;
        return route.Filters.Length == 0 && route.Action is { } action
            ? ForwardAsync(context, request, action.Clusters.Pick())
            : RunFiltersAsync(context, request, route);
    }

    /// <summary>
    /// Called by the routing stage once the pipeline returned: an attempt forwarded without the
    /// attempt loop (no timers, no retries — so without an async frame here) gets its failure
    /// mapped to Envoy's reply now.
    /// </summary>
    public static Task CompleteAsync(HttpContext context, RoutingResult request)
        => request.Upstream.SingleAttemptForwarded && context.Features.Get<IForwarderErrorFeature>() is { } error
            ? ReportFailureAsync(context, request, ForwarderErrorClassifier.Classify(error), context.RequestAborted)
            : Task.CompletedTask;

    private async Task RunFiltersAsync(HttpContext context, RoutingResult request, HttpRouteModel route)
    {
        foreach (var filter in route.Filters)
        {
            if (!await filter.OnRequestAsync(context, request))
            {
                return;
            }
        }

        if (route.Action is not { } action)
        {
            // A redirect or direct response route whose reply filter did not answer: nothing to forward to.
            await LocalReply.NoRoute(context, request);
            return;
        }

        await ForwardAsync(context, request, action.Clusters.Pick());
    }

    private Task ForwardAsync(HttpContext context, RoutingResult request, UpstreamCluster cluster)
    {
        request.Cluster = cluster;
        if (cluster.IsPassthrough)
        {
            var authority = request.Model!.Listeners[request.Listener.Index].PassthroughAuthority ?? context.Request.Host.Value;
            return string.IsNullOrEmpty(authority) || PassthroughLoopGuard.IsOwnListener(_listeners, authority)
                ? LocalReply.NoRoute(context, request)
                : _passthrough.ForwardAsync(context, request, authority);
        }

        var state = cluster.State;
        if (state.DestinationsState.AvailableDestinations.Count == 0)
        {
            return LocalReply.NoHealthyUpstream(context, request);
        }

        context.ReassignProxyRequest(state);
        var action = request.Route?.Action;
        var timeouts = UpstreamTimeouts.For(context, request, action);
        if (action is not null && (timeouts.HasTimers || action.Retry is not null))
        {
            return RunAttemptsAsync(context, request, action, timeouts);
        }

        // A single plain attempt: no async frame here; CompleteAsync maps its failure.
        request.Attempts = 1;
        request.Upstream.SingleAttemptForwarded = true;
        return _next(context);
    }

    private async Task RunAttemptsAsync(HttpContext context, RoutingResult request, RouteActionModel action, UpstreamTimeouts timeouts)
    {
        try
        {
            await RunAttemptLoopAsync(context, request, action, timeouts);
        }
        finally
        {
            request.Upstream.EndReservedRetry();
        }
    }

    private async Task RunAttemptLoopAsync(HttpContext context, RoutingResult request, RouteActionModel action, UpstreamTimeouts timeouts)
    {
        var attempts = request.Upstream;
        var callerAborted = context.RequestAborted;
        using var routeTimer = timeouts.Route > TimeSpan.Zero ? StartTimer(callerAborted, timeouts.Route) : null;
        var exchangeToken = routeTimer?.Token ?? callerAborted;
        var retry = action.Retry;
        var maxAttempts = 1 + (retry?.NumRetries ?? 0);
        attempts.Retry = retry;
        var bodyReplay = retry is null ? RequestBodyReplay.Find(context) : RequestBodyReplay.GetOrPrepare(context);

        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1)
            {
                PrepareRetry(context, request, bodyReplay);
            }

            request.Attempts = attempt;
            attempts.Result = AttemptResult.None;
            attempts.RetryPossible = attempt < maxAttempts;

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
                attempts.RecordTried(tried);
            }

            ForwarderFailure? failure = null;
            if (attempts.Result != AttemptResult.RetrySuppressed)
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

                if (attempt >= maxAttempts || bodyReplay?.CanReplay == false)
                {
                    if (attempt >= maxAttempts)
                    {
                        request.AddFlags(ResponseFlags.UpstreamRetryLimitExceeded);
                    }

                    await ReportFailureAsync(context, request, failure.Value, callerAborted);
                    return;
                }

                if (!attempts.TryReserveRetry(request.Cluster))
                {
                    // The cluster's retry limit (retry budget, http.maxRetries) is spent: Envoy gives up with flag UO.
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
    private static void PrepareRetry(HttpContext context, RoutingResult request, RequestBodyReplay? bodyReplay)
    {
        context.Response.Clear();
        context.Features.Set<IForwarderErrorFeature>(null);
        bodyReplay?.Rewind(context);

        var proxyFeature = context.GetReverseProxyFeature();
        var available = request.Cluster!.State.DestinationsState.AvailableDestinations;
        proxyFeature.AvailableDestinations = ExcludeTried(available, request.Upstream);
    }

    /// <summary>Istio's previous-hosts retry predicate: prefer endpoints not tried yet, when there are any.</summary>
    private static IReadOnlyList<DestinationState> ExcludeTried(IReadOnlyList<DestinationState> available, UpstreamAttempts attempts)
    {
        if (available.Count <= 1 || attempts.TriedCount == 0)
        {
            return available;
        }

        List<DestinationState>? fresh = null;
        for (var i = 0; i < available.Count; i++)
        {
            if (!attempts.WasTried(available[i]))
            {
                (fresh ??= new List<DestinationState>(available.Count)).Add(available[i]);
            }
        }

        return fresh ?? available;
    }

    private static Task ReportTimerOrCallerAsync(HttpContext context, RoutingResult request, CancellationTokenSource? routeTimer, CancellationToken callerAborted)
    {
        if (!callerAborted.IsCancellationRequested && routeTimer?.IsCancellationRequested == true)
        {
            return LocalReply.Timeout(context, request);
        }

        request.AddFlags(ResponseFlags.DownstreamConnectionTermination);
        return Task.CompletedTask;
    }

    /// <summary>Envoy's reply for an attempt that ended without a usable response.</summary>
    internal static Task ReportFailureAsync(HttpContext context, RoutingResult request, ForwarderFailure failure, CancellationToken callerAborted)
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

    private CancellationTokenSource StartTimer(CancellationToken parent, TimeSpan timeout) => new LinkedTimeoutSource(parent, timeout, _timeProvider);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Retrying request to cluster {Cluster} after attempt {Attempt} (failure {Failure}, status {Status}).")]
        public static partial void Retrying(ILogger logger, string? cluster, int attempt, ForwarderFailure? failure, int status);
    }
}
