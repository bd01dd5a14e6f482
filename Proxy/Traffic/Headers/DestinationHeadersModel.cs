using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Traffic.Headers;

/// <summary>Header operations of one weighted destination (Istio <c>route[].headers</c>).</summary>
internal sealed record DestinationHeadersModel(UpstreamCluster Cluster, HeaderOperationsModel? Request, HeaderOperationsModel? Response);
