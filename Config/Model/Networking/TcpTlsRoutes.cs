using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>TLSRoute</c> (parsed so it can be rejected by name: Mesh routes HTTP only).</summary>
public sealed record TlsRoute
{
    public ValueList<TlsMatchAttributes> Match { get; init; } = [];

    public ValueList<RouteDestination> Route { get; init; } = [];
}

/// <summary>Istio's <c>TCPRoute</c> (parsed so it can be rejected by name: Mesh routes HTTP only).</summary>
public sealed record TcpRoute
{
    public ValueList<L4MatchAttributes> Match { get; init; } = [];

    public ValueList<RouteDestination> Route { get; init; } = [];
}

/// <summary>Istio's <c>TLSMatchAttributes</c>.</summary>
public sealed record TlsMatchAttributes
{
    public ValueList<string> SniHosts { get; init; } = [];

    public ValueList<string> DestinationSubnets { get; init; } = [];

    public uint? Port { get; init; }

    public ValueMap<string> SourceLabels { get; init; } = ValueMap<string>.Empty;

    public ValueList<string> Gateways { get; init; } = [];

    public string? SourceNamespace { get; init; }
}

/// <summary>Istio's <c>L4MatchAttributes</c>.</summary>
public sealed record L4MatchAttributes
{
    public ValueList<string> DestinationSubnets { get; init; } = [];

    public uint? Port { get; init; }

    public string? SourceSubnet { get; init; }

    public ValueMap<string> SourceLabels { get; init; } = ValueMap<string>.Empty;

    public ValueList<string> Gateways { get; init; } = [];

    public string? SourceNamespace { get; init; }
}

/// <summary>Istio's <c>RouteDestination</c> (L4).</summary>
public sealed record RouteDestination
{
    public Destination? Destination { get; init; }

    public int? Weight { get; init; }
}
