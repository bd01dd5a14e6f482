using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Traffic.CircuitBreaking;

/// <summary>
/// <see cref="ProxyStage.ConnectionPool"/>: circuit breaking per upstream attempt (after the
/// router's attempt loop, before load balancing): an attempt gets a slot of its cluster's
/// connection pool, waits for an HTTP/1.1 connection, or is answered at once with 503 and flag UO
/// (never retried, as in Envoy). Clusters without limits pass straight through.
/// </summary>
internal sealed class ConnectionPoolStage(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<RoutingResult>();
        if (request?.Cluster?.FeatureModels.Get<ClusterCircuitBreaker>() is not { Limits: { LimitsRequests: true } limits } breaker)
        {
            return next(context);
        }

        var pool = breaker.State;
        return pool.TryAdmit(limits) switch
        {
            PoolAdmission.Admitted => ForwardAsync(context, pool, limits),
            PoolAdmission.Pending => WaitThenForwardAsync(context, pool, limits),
            _ => LocalReply.Overflow(context, request),
        };
    }

    private async Task ForwardAsync(HttpContext context, ConnectionPoolState pool, ConnectionPoolModel limits)
    {
        try
        {
            await next(context);
        }
        finally
        {
            pool.Release(limits);
        }
    }

    private async Task WaitThenForwardAsync(HttpContext context, ConnectionPoolState pool, ConnectionPoolModel limits)
    {
        if (!await pool.WaitAsync(limits, context.RequestAborted))
        {
            // A route/per-try timeout or the caller ended the wait; the router maps it (UT or DC).
            context.Features.Set<IForwarderErrorFeature>(new PendingWaitCancelled());
            return;
        }

        await ForwardAsync(context, pool, limits);
    }

    private sealed class PendingWaitCancelled : IForwarderErrorFeature
    {
        public ForwarderError Error => ForwarderError.RequestCanceled;

        public Exception? Exception { get; } = new OperationCanceledException("The request was cancelled while waiting for a connection.");
    }
}
