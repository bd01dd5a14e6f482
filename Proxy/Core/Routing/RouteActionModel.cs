namespace Mesh.Proxy.Core.Routing;

/// <summary>Where a matched route sends the request and the upstream policies of that exchange.</summary>
public sealed class RouteActionModel
{
    public RouteActionModel(WeightedClusterTable clusters)
    {
        Clusters = clusters;
    }

    public WeightedClusterTable Clusters { get; }

    /// <summary>Whole-exchange timeout including retries; zero = none (Istio's default for HTTP).</summary>
    public TimeSpan Timeout { get; init; }

    public RetryPolicyModel? Retry { get; init; }

    /// <summary>True when the exchange needs the attempt loop (timeouts or retries).</summary>
    public bool HasUpstreamPolicies => Timeout > TimeSpan.Zero || Retry is not null;
}
