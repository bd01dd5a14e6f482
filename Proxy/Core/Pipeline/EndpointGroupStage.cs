using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Part of <see cref="ProxyStage.LoadBalancing"/>, per attempt, before the cluster's policy: for a
/// cluster with <see cref="UpstreamCluster.EndpointGroups"/> (priorities, locality weights, endpoint
/// weights), narrows the attempt's candidates to one group picked by Envoy's rules, so YARP's policy
/// (round robin, random, two choices) balances within it — Envoy's two steps (priority and locality,
/// then host). A feature's own policy gets every candidate and applies the groups itself.
/// </summary>
internal sealed class EndpointGroupStage(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<RoutingResult>()?.Cluster is { EndpointGroups: { } groups, PolicyPicksGroups: false } cluster)
        {
            var feature = context.GetReverseProxyFeature();
            var available = feature.AvailableDestinations;
            var current = cluster.State.DestinationsState.AvailableDestinations;
            feature.AvailableDestinations = groups.Pick(available, Random.Shared.NextDouble(), cache: ReferenceEquals(available, current));
        }

        return next(context);
    }
}
