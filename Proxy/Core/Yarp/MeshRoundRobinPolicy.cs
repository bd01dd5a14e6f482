using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// ROUND_ROBIN per mesh cluster. YARP's own round robin keys its counter on the cluster of the
/// matched YARP route, which is the shared catch-all here (the mesh reassigns the cluster per
/// request), so interleaved requests to different clusters would skew every rotation.
/// </summary>
internal sealed class MeshRoundRobinPolicy : ILoadBalancingPolicy
{
    public const string PolicyName = "Mesh.RoundRobin";

    public string Name => PolicyName;

    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        if (availableDestinations.Count == 0)
        {
            return null;
        }

        var upstream = context.Features.Get<RoutingResult>()?.Cluster;
        var position = upstream?.NextRoundRobin() ?? Random.Shared.Next();
        return availableDestinations[position % availableDestinations.Count];
    }
}
