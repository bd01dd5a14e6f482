using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Yarp;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>Translates snapshot clusters (with the features' parts) into mesh <see cref="UpstreamCluster"/>s and YARP <see cref="ClusterConfig"/>s.</summary>
internal static class ClusterTranslator
{
    private static readonly ForwarderRequestConfig Http1Request = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = ClusterDefaults.StreamIdleTimeout,
        AllowResponseBuffering = false,
    };

    // HTTP/2 with prior knowledge (h2c) on http:// destinations.
    private static readonly ForwarderRequestConfig Http2Request = new()
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = ClusterDefaults.StreamIdleTimeout,
        AllowResponseBuffering = false,
    };

    /// <summary>
    /// Translates one cluster, letting each feature translate its part (<see cref="FeatureTranslation.TranslateCluster"/>);
    /// returns null (with errors recorded) when it is unusable.
    /// </summary>
    public static (UpstreamCluster Cluster, ClusterConfig? Yarp)? Translate(ProxySnapshot snapshot, Cluster cluster, string path, TranslationErrors errors, IReadOnlyList<FeatureTranslation> features)
    {
        var before = errors.Count;
        var simple = cluster.LoadBalancer?.Simple ?? LoadBalancer.Types.Simple.Unspecified;
        var protocol = cluster.Protocol == Protocol.Unspecified ? Protocol.Http : cluster.Protocol;
        var translation = new ClusterTranslation(snapshot, cluster, path, errors, protocol, isPassthrough: simple == LoadBalancer.Types.Simple.Passthrough)
        {
            LoadBalancingPolicy = LoadBalancingPolicyFor(simple),
            RequestConfig = RequestConfigFor(protocol, cluster.ConnectionPool?.H2UpgradePolicy ?? H2UpgradePolicy.H2UpgradeDefault),
        };
        if (cluster.ConnectionPool?.ConnectTimeout is { } connectTimeout && connectTimeout.ToTimeSpan() > TimeSpan.Zero)
        {
            translation.Metadata[ClusterMetadata.ConnectTimeoutMs] = ClusterMetadata.FormatMilliseconds(connectTimeout.ToTimeSpan());
        }

        if (cluster.ConnectionPool?.IdleTimeout is { } idleTimeout && idleTimeout.ToTimeSpan() > TimeSpan.Zero)
        {
            translation.Metadata[ClusterMetadata.IdleTimeoutMs] = ClusterMetadata.FormatMilliseconds(idleTimeout.ToTimeSpan());
        }

        foreach (var feature in features)
        {
            feature.TranslateCluster(translation);
        }

        var tls = translation.TlsEndpoints;
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var shares = new List<EndpointShare>(cluster.Endpoints.Count);
        for (var i = 0; i < cluster.Endpoints.Count; i++)
        {
            var endpoint = cluster.Endpoints[i];
            if (string.IsNullOrWhiteSpace(endpoint.Address))
            {
                errors.Add($"{path}.endpoints[{i}].address", "must not be empty");
                continue;
            }

            if (endpoint.Port is 0 or > 65535)
            {
                errors.Add($"{path}.endpoints[{i}].port", $"must be 1-65535 (got {endpoint.Port})");
                continue;
            }

            var authority = ClusterConventions.FormatAuthority(endpoint.Address, endpoint.Port);
            shares.Add(new EndpointShare(authority, endpoint.Priority, endpoint.Locality, endpoint.LocalityWeight, endpoint.Weight));
            var scheme = tls is not null && tls(endpoint) ? "https" : "http";
            destinations.TryAdd(authority, new DestinationConfig { Address = $"{scheme}://{authority}" });
        }

        if (errors.Count != before)
        {
            return null;
        }

        var upstream = new UpstreamCluster(cluster.Name, protocol)
        {
            FeatureModels = translation.BuildModels(),
            RetryLimiter = translation.RetryLimiter,
            Service = cluster.Service,
            Subset = cluster.Subset,
            Port = (int)cluster.Port,
            EndpointCount = destinations.Count,
            IsPassthrough = translation.IsPassthrough,
            EndpointGroups = EndpointGroups.Create(shares),
            PolicyPicksGroups = !IsCorePolicy(translation.LoadBalancingPolicy),
        };

        if (!translation.HasYarpCluster)
        {
            return (upstream, null);
        }

        var config = new ClusterConfig
        {
            ClusterId = cluster.Name,
            LoadBalancingPolicy = translation.LoadBalancingPolicy,
            Destinations = destinations,
            HttpRequest = translation.RequestConfig,
            Metadata = translation.Metadata.Count == 0 ? null : translation.Metadata,
            HealthCheck = translation.HealthCheck,
            HttpClient = translation.HttpClient,
        };
        return (upstream, config);
    }

    /// <summary>The sidecar's own cluster to the local app for one inbound port.</summary>
    public static (UpstreamCluster Cluster, ClusterConfig Yarp) Inbound(string name, string appAddress, int targetPort, Protocol protocol)
    {
        var authority = ClusterConventions.FormatAuthority(appAddress, (uint)targetPort);
        var upstream = new UpstreamCluster(name, protocol) { Port = targetPort, EndpointCount = 1 };
        var config = new ClusterConfig
        {
            ClusterId = name,
            LoadBalancingPolicy = LoadBalancingPolicies.FirstAlphabetical,
            Destinations = new Dictionary<string, DestinationConfig> { [authority] = new() { Address = $"http://{authority}" } },
            HttpRequest = RequestConfigFor(protocol),
        };
        return (upstream, config);
    }

    private static bool IsCorePolicy(string policy) =>
        policy == MeshRoundRobinPolicy.PolicyName || policy == LoadBalancingPolicies.Random
        || policy == LoadBalancingPolicies.PowerOfTwoChoices || policy == LoadBalancingPolicies.FirstAlphabetical;

    /// <summary>
    /// HTTP/2 for HTTP2/gRPC ports and for clusters with h2UpgradePolicy UPGRADE (prior knowledge on
    /// plaintext, as Envoy: the upstream must speak h2c); HTTP/1.1 otherwise. Mesh mTLS replaces it
    /// (Security's UpstreamTlsPlan: HTTP/2 by ALPN unless DO_NOT_UPGRADE).
    /// </summary>
    public static ForwarderRequestConfig RequestConfigFor(Protocol protocol, H2UpgradePolicy upgrade = H2UpgradePolicy.H2UpgradeDefault)
        => protocol is Protocol.Http2 or Protocol.Grpc || upgrade == H2UpgradePolicy.Upgrade ? Http2Request : Http1Request;

    /// <summary>
    /// Envoy LEAST_REQUEST (Istio's default) with equal weights is "power of two choices" — YARP's
    /// PowerOfTwoChoices, not YARP's LeastRequests (a full scan that always picks the first idle
    /// destination). ROUND_ROBIN needs a per-mesh-cluster counter (see <see cref="MeshRoundRobinPolicy"/>).
    /// </summary>
    public static string LoadBalancingPolicyFor(LoadBalancer.Types.Simple simple) => simple switch
    {
        LoadBalancer.Types.Simple.RoundRobin => MeshRoundRobinPolicy.PolicyName,
        LoadBalancer.Types.Simple.Random => LoadBalancingPolicies.Random,
        _ => LoadBalancingPolicies.PowerOfTwoChoices,
    };
}
