using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>HTTPRoute</c>: match conditions and the action for HTTP traffic.</summary>
public sealed record HttpRoute
{
    public string? Name { get; init; }

    public ValueList<HttpMatchRequest> Match { get; init; } = [];

    public ValueList<HttpRouteDestination> Route { get; init; } = [];

    public HttpRedirect? Redirect { get; init; }

    public HttpDirectResponse? DirectResponse { get; init; }

    [Refused("VirtualService delegation is not implemented; write the routes in the root VirtualService")]
    public VirtualServiceDelegate? Delegate { get; init; }

    public HttpRewrite? Rewrite { get; init; }

    public TimeSpan? Timeout { get; init; }

    public HttpRetry? Retries { get; init; }

    public HttpFaultInjection? Fault { get; init; }

    public Destination? Mirror { get; init; }

    /// <summary>Deprecated integer mirror percentage (use <see cref="MirrorPercentage"/>).</summary>
    [YamlName("mirrorPercent", Aliases = ["mirror_percent"])]
    public uint? MirrorPercent { get; init; }

    public Percent? MirrorPercentage { get; init; }

    public ValueList<HttpMirrorPolicy> Mirrors { get; init; } = [];

    public CorsPolicy? CorsPolicy { get; init; }

    public Headers? Headers { get; init; }
}

/// <summary>Istio's <c>Delegate</c>: a reference to a delegate VirtualService (not supported by Mesh).</summary>
public sealed record VirtualServiceDelegate
{
    public string? Name { get; init; }

    public string? Namespace { get; init; }
}

/// <summary>Istio's <c>HTTPMirrorPolicy</c>.</summary>
public sealed record HttpMirrorPolicy
{
    public Destination? Destination { get; init; }

    public Percent? Percentage { get; init; }
}

/// <summary>Istio's <c>Percent</c>: a double in [0, 100].</summary>
public sealed record Percent
{
    public double? Value { get; init; }
}
