using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Traffic.Mirroring;

/// <summary>One Istio <c>mirror</c>/<c>mirrors[]</c> entry: the cluster that receives copies and the share of requests copied.</summary>
internal sealed record MirrorModel(UpstreamCluster Cluster, double Percentage);
