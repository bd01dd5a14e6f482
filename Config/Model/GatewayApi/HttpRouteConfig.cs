using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>
/// Spec of the Gateway API's <c>HTTPRoute</c>: rules (matches, filters, weighted backends,
/// timeouts) for the hostnames of the Gateways listeners or Services (GAMMA) it attaches to.
/// </summary>
public sealed record HttpRouteConfig
{
    public ValueList<ParentReference> ParentRefs { get; init; } = [];

    public string? UseDefaultGateways { get; init; }

    public ValueList<string> Hostnames { get; init; } = [];

    public ValueList<HttpRouteRule> Rules { get; init; } = [];
}

public sealed record HttpRouteRule
{
    public string? Name { get; init; }

    /// <summary>OR-ed; none means <c>path: {type: PathPrefix, value: /}</c> (the API's default).</summary>
    public ValueList<HttpRouteMatch> Matches { get; init; } = [];

    public ValueList<HttpRouteFilter> Filters { get; init; } = [];

    public ValueList<HttpBackendRef> BackendRefs { get; init; } = [];

    public HttpRouteTimeouts? Timeouts { get; init; }

    public HttpRouteRetry? Retry { get; init; }

    public SessionPersistence? SessionPersistence { get; init; }
}

/// <summary>All conditions must hold (AND).</summary>
public sealed record HttpRouteMatch
{
    public HttpPathMatch? Path { get; init; }

    public ValueList<HttpHeaderMatch> Headers { get; init; } = [];

    public ValueList<HttpHeaderMatch> QueryParams { get; init; } = [];

    public HttpRouteMethod? Method { get; init; }
}

public sealed record HttpPathMatch
{
    public PathMatchType? Type { get; init; }

    public string? Value { get; init; }
}

/// <summary>An <c>HTTPHeaderMatch</c>, <c>HTTPQueryParamMatch</c> or <c>GRPCHeaderMatch</c>: name, value and how they compare.</summary>
public sealed record HttpHeaderMatch
{
    public ValueMatchType? Type { get; init; }

    public string? Name { get; init; }

    public string? Value { get; init; }
}

/// <summary><c>timeouts</c>: Gateway API durations such as <c>10s</c> or <c>1m30s</c> (GEP-2257).</summary>
public sealed record HttpRouteTimeouts
{
    public string? Request { get; init; }

    public string? BackendRequest { get; init; }
}

public sealed record HttpRouteRetry
{
    public ValueList<int> Codes { get; init; } = [];

    public int? Attempts { get; init; }

    public string? Backoff { get; init; }
}

public sealed record SessionPersistence
{
    public string? SessionName { get; init; }

    public string? AbsoluteTimeout { get; init; }

    public string? IdleTimeout { get; init; }

    public string? Type { get; init; }

    public CookieConfig? CookieConfig { get; init; }
}

public sealed record CookieConfig
{
    public string? LifetimeType { get; init; }
}

/// <summary>An <c>HTTPBackendRef</c>: a weighted backend with its own header filters.</summary>
public sealed record HttpBackendRef
{
    public string? Group { get; init; }

    public string? Kind { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    public int? Port { get; init; }

    public int? Weight { get; init; }

    public ValueList<HttpRouteFilter> Filters { get; init; } = [];
}
