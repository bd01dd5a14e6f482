using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>Spec of the Gateway API's <c>GRPCRoute</c>: rules matching gRPC service/method and headers.</summary>
public sealed record GrpcRouteConfig
{
    public ValueList<ParentReference> ParentRefs { get; init; } = [];

    public string? UseDefaultGateways { get; init; }

    public ValueList<string> Hostnames { get; init; } = [];

    public ValueList<GrpcRouteRule> Rules { get; init; } = [];
}

public sealed record GrpcRouteRule
{
    public string? Name { get; init; }

    public ValueList<GrpcRouteMatch> Matches { get; init; } = [];

    /// <summary>RequestHeaderModifier, ResponseHeaderModifier, RequestMirror, ExtensionRef.</summary>
    public ValueList<HttpRouteFilter> Filters { get; init; } = [];

    public ValueList<HttpBackendRef> BackendRefs { get; init; } = [];

    public SessionPersistence? SessionPersistence { get; init; }
}

public sealed record GrpcRouteMatch
{
    public GrpcMethodMatch? Method { get; init; }

    public ValueList<HttpHeaderMatch> Headers { get; init; } = [];
}

public sealed record GrpcMethodMatch
{
    public ValueMatchType? Type { get; init; }

    public string? Service { get; init; }

    public string? Method { get; init; }
}
