using Mesh.Contracts.Snapshots;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// A cluster as the request path sees it: the YARP <see cref="ClusterState"/> it forwards
/// through (bound once YARP has applied the snapshot's config, before the model is published)
/// plus what the mesh needs beyond YARP.
/// </summary>
public sealed class UpstreamCluster
{
    private ClusterState? _state;
    private int _roundRobinCounter = -1;

    public UpstreamCluster(string name, Protocol protocol)
    {
        Name = name;
        Protocol = protocol;
    }

    /// <summary>outbound|&lt;port&gt;|&lt;subset&gt;|&lt;fqdn&gt; or inbound|&lt;port&gt;||.</summary>
    public string Name { get; }

    public Protocol Protocol { get; }

    public string? Service { get; init; }

    public string? Subset { get; init; }

    public int Port { get; init; }

    public int EndpointCount { get; init; }

    /// <summary>What features compiled for this cluster (circuit breaking, outlier detection, consistent hash...).</summary>
    public FeatureModels FeatureModels { get; init; } = FeatureModels.Empty;

    /// <summary>The limit on retries in flight to this cluster; null when retries are unlimited.</summary>
    public IRetryLimiter? RetryLimiter { get; init; }

    /// <summary>
    /// Priorities (locality failover with Envoy's overprovisioning), locality weights (distribute) and
    /// endpoint weights; null when every endpoint is alike. Core narrows the candidates by it before
    /// its own load balancing policies; a feature's policy (consistent hash) applies it itself.
    /// </summary>
    public EndpointGroups? EndpointGroups { get; internal init; }

    /// <summary>The cluster's policy is a feature's, which applies <see cref="EndpointGroups"/> itself.</summary>
    internal bool PolicyPicksGroups { get; init; }

    /// <summary>Load balancer PASSTHROUGH: forward to the address the caller asked for.</summary>
    public bool IsPassthrough { get; init; }

    /// <summary>The YARP cluster; throws before <see cref="Bind"/> (a model is published only once bound).</summary>
    public ClusterState State => _state ?? throw new InvalidOperationException($"Cluster '{Name}' is not bound to a YARP cluster yet.");

    public bool IsBound => _state is not null;

    internal void Bind(ClusterState state) => _state = state;

    /// <summary>
    /// Next round-robin position (ROUND_ROBIN load balancing, mirrored copies); lives with the model,
    /// so a new snapshot restarts the rotation.
    /// </summary>
    public int NextRoundRobin() => Interlocked.Increment(ref _roundRobinCounter) & int.MaxValue;

    /// <summary>
    /// An available endpoint for a request the proxy makes on its own (mirrored copies, ext_authz
    /// checks): round robin within the group <see cref="EndpointGroups"/> picks; null when none is
    /// available or the cluster is not bound yet.
    /// </summary>
    public DestinationState? NextDestination()
    {
        if (_state is null)
        {
            return null;
        }

        var destinations = _state.DestinationsState.AvailableDestinations;
        if (destinations.Count > 0 && EndpointGroups is { } groups)
        {
            destinations = groups.Pick(destinations, Random.Shared.NextDouble(), cache: true);
        }

        return destinations.Count == 0 ? null : destinations[NextRoundRobin() % destinations.Count];
    }

    public override string ToString() => Name;
}
