namespace Bookinfo.Reviews;

/// <summary>
/// How this reviews instance behaves. Bound from configuration: <c>REVIEWS_VERSION</c>
/// (v1|v2|v3), <c>POD_NAME</c>, <c>CLUSTER_NAME</c>; the rest from the <c>Reviews</c> section.
/// </summary>
public sealed class ReviewsOptions
{
    public static readonly string[] KnownVersions = ["v1", "v2", "v3"];

    /// <summary>v1: no ratings; v2: ratings as black stars; v3: ratings as red stars.</summary>
    public string Version { get; set; } = "v1";

    /// <summary>Reported as "podname"; defaults to POD_NAME, then OTEL_SERVICE_NAME, then reviews-&lt;version&gt;.</summary>
    public string? PodName { get; set; }

    /// <summary>Reported as "clustername"; Bookinfo's Java service prints an unset one as "null".</summary>
    public string ClusterName { get; set; } = "null";

    /// <summary>Where the ratings gRPC service is; resolved through service discovery (services:ratings:grpc:0).</summary>
    public Uri RatingsAddress { get; set; } = new("http://_grpc.ratings");

    /// <summary>Overrides the per-version timeout of the ratings call.</summary>
    public TimeSpan? RatingsTimeout { get; set; }

    public bool RatingsEnabled => Version != "v1";

    public string StarColor => Version == "v3" ? "red" : "black";

    public string EffectivePodName => string.IsNullOrWhiteSpace(PodName) ? $"reviews-{Version}" : PodName;

    // Bookinfo's Java reviews waits 10 s for ratings when its stars are black and 2.5 s when
    // red; Istio's timeout and fault-injection tasks depend on that difference.
    public TimeSpan EffectiveRatingsTimeout =>
        RatingsTimeout ?? (StarColor == "black" ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(2.5));
}
