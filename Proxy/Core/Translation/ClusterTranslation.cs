using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// One snapshot cluster while it is translated: what Core decided so far, and what features may
/// change on the YARP cluster Core builds afterwards (a cluster with errors is not built).
/// </summary>
public sealed class ClusterTranslation
{
    private readonly FeatureModels.Builder _models = new();

    internal ClusterTranslation(ProxySnapshot snapshot, Cluster source, string path, TranslationErrors errors, Protocol protocol, bool isPassthrough)
    {
        Snapshot = snapshot;
        Source = source;
        Path = path;
        Errors = errors;
        Protocol = protocol;
        IsPassthrough = isPassthrough;
    }

    public ProxySnapshot Snapshot { get; }

    public Cluster Source { get; }

    /// <summary>The error path of the cluster, e.g. "clusters[3] (outbound|9080||reviews...)".</summary>
    public string Path { get; }

    public TranslationErrors Errors { get; }

    /// <summary>The cluster's protocol (unspecified means HTTP).</summary>
    public Protocol Protocol { get; }

    /// <summary>Load balancer PASSTHROUGH: requests go to the authority the caller asked for; no YARP cluster.</summary>
    public bool IsPassthrough { get; }

    /// <summary>Whether Core builds a YARP cluster for it (HTTP routable, not passthrough): only then do the YARP settings apply.</summary>
    public bool HasYarpCluster => !IsPassthrough && ClusterConventions.IsHttpRoutable(Protocol);

    /// <summary>The YARP load balancing policy (from the snapshot's simple load balancer unless a feature replaces it).</summary>
    public required string LoadBalancingPolicy { get; set; }

    /// <summary>How requests are sent (HTTP version, timeouts).</summary>
    public required ForwarderRequestConfig RequestConfig { get; set; }

    /// <summary>Per-cluster settings for <c>IUpstreamClientConfigurator</c>s and YARP policies.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public HealthCheckConfig? HealthCheck { get; set; }

    public HttpClientConfig? HttpClient { get; set; }

    /// <summary>Which endpoints are reached over TLS (their destinations are https://); null: none.</summary>
    public Func<Endpoint, bool>? TlsEndpoints { get; set; }

    /// <summary>The limit on retries in flight to the cluster; null: unlimited.</summary>
    public IRetryLimiter? RetryLimiter { get; set; }

    /// <summary>Attaches a feature's compiled model to the cluster (read per request with <c>UpstreamCluster.FeatureModels</c>).</summary>
    public void SetModel<T>(T model)
        where T : class => _models.Set(model);

    internal FeatureModels BuildModels() => _models.Build();
}
