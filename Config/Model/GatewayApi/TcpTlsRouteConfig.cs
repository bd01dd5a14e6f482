using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>Spec of the Gateway API's <c>TCPRoute</c>: connections on a TCP listener (or to a Service) to weighted backends.</summary>
public sealed record TcpRouteConfig
{
    public ValueList<ParentReference> ParentRefs { get; init; } = [];

    public string? UseDefaultGateways { get; init; }

    public ValueList<L4RouteRule> Rules { get; init; } = [];
}

/// <summary>Spec of the Gateway API's <c>TLSRoute</c>: TLS connections by SNI (<c>hostnames</c>) to weighted backends.</summary>
public sealed record TlsRouteConfig
{
    public ValueList<ParentReference> ParentRefs { get; init; } = [];

    public string? UseDefaultGateways { get; init; }

    public ValueList<string> Hostnames { get; init; } = [];

    public ValueList<L4RouteRule> Rules { get; init; } = [];
}

/// <summary>A <c>TCPRouteRule</c> or <c>TLSRouteRule</c>: a name and weighted backends.</summary>
public sealed record L4RouteRule
{
    public string? Name { get; init; }

    public ValueList<BackendRef> BackendRefs { get; init; } = [];
}
