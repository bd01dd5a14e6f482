using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Traffic.Headers;

/// <summary>
/// What a route changes on the request sent upstream and on the response back (VirtualService
/// <c>headers</c>, per-destination <c>headers</c>, <c>rewrite</c>), compiled once per snapshot and
/// attached to the route as its feature model. Applied per attempt, after the weighted pick, so
/// per-destination operations follow the cluster actually chosen.
/// </summary>
internal sealed class RouteHeadersModel
{
    public HeaderOperationsModel? RequestHeaders { get; init; }

    public HeaderOperationsModel? ResponseHeaders { get; init; }

    /// <summary>Operations of the route's weighted destinations that have any (usually empty).</summary>
    public DestinationHeadersModel[] Destinations { get; init; } = [];

    public RewriteModel? Rewrite { get; init; }

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
