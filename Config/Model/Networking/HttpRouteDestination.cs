using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>HTTPRouteDestination</c>: a weighted destination with header manipulation.</summary>
public sealed record HttpRouteDestination
{
    public Destination? Destination { get; init; }

    public int? Weight { get; init; }

    public Headers? Headers { get; init; }
}

/// <summary>Istio's <c>Destination</c>: a service host, optional subset and port.</summary>
public sealed record Destination
{
    public string? Host { get; init; }

    public string? Subset { get; init; }

    public PortSelector? Port { get; init; }
}

/// <summary>Istio's <c>PortSelector</c>.</summary>
public sealed record PortSelector
{
    public uint? Number { get; init; }
}

/// <summary>Istio's <c>Headers</c>: request and response header operations.</summary>
public sealed record Headers
{
    public HeaderOperations? Request { get; init; }

    public HeaderOperations? Response { get; init; }
}

/// <summary>Istio's <c>Headers.HeaderOperations</c>.</summary>
public sealed record HeaderOperations
{
    [Limited("Envoy header variables (%VAR%) are refused: the proxy sets values literally; %% stands for %")]
    public ValueMap<string> Set { get; init; } = ValueMap<string>.Empty;

    [Limited("Envoy header variables (%VAR%) are refused: the proxy sets values literally; %% stands for %")]
    public ValueMap<string> Add { get; init; } = ValueMap<string>.Empty;

    public ValueList<string> Remove { get; init; } = [];
}
