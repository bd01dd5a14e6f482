using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Cors;
using Mesh.Proxy.Traffic.Headers;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// What a route changes on the way upstream and back (VirtualService <c>headers</c>, per-destination
/// <c>headers</c>, <c>rewrite</c>, <c>corsPolicy</c>), compiled once per snapshot. Applied by
/// <see cref="TrafficRequestTransform"/> and <see cref="TrafficResponseTransform"/> per attempt,
/// after the weighted pick, so per-destination operations follow the cluster actually chosen.
/// </summary>
public sealed class RouteTrafficModel
{
    public HeaderOperationsModel? RequestHeaders { get; init; }

    public HeaderOperationsModel? ResponseHeaders { get; init; }

    /// <summary>Operations of the route's weighted destinations that have any (usually empty).</summary>
    public DestinationHeadersModel[] Destinations { get; init; } = [];

    public RewriteModel? Rewrite { get; init; }

    public CorsPolicyModel? Cors { get; init; }

    public DestinationHeadersModel? ForCluster(UpstreamCluster? cluster)
    {
        var destinations = Destinations;
        for (var i = 0; i < destinations.Length; i++)
        {
            if (ReferenceEquals(destinations[i].Cluster, cluster))
            {
                return destinations[i];
            }
        }

        return null;
    }
}
