using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.MeshConfiguration;

/// <summary><c>ExtensionProvider.EnvoyExternalAuthorizationHttpProvider</c>: Envoy's ext_authz over its HTTP check API.</summary>
public sealed record ExtAuthzHttpProvider
{
    public string? Service { get; init; }

    public uint Port { get; init; }

    public TimeSpan? Timeout { get; init; }

    public string? PathPrefix { get; init; }

    public bool FailOpen { get; init; }

    public string? StatusOnError { get; init; }

    /// <summary>Deprecated in Istio for <see cref="IncludeRequestHeadersInCheck"/>; read the same way.</summary>
    public ValueList<string> IncludeHeadersInCheck { get; init; } = [];

    public ValueList<string> IncludeRequestHeadersInCheck { get; init; } = [];

    public ValueMap<string> IncludeAdditionalHeadersInCheck { get; init; } = ValueMap<string>.Empty;

    public ExtAuthzRequestBody? IncludeRequestBodyInCheck { get; init; }

    public ValueList<string> HeadersToUpstreamOnAllow { get; init; } = [];

    public ValueList<string> HeadersToDownstreamOnDeny { get; init; } = [];

    public ValueList<string> HeadersToDownstreamOnAllow { get; init; } = [];
}

/// <summary><c>ExtensionProvider.EnvoyExternalAuthorizationGrpcProvider</c>: Envoy's ext_authz over <c>envoy.service.auth.v3.Authorization</c>.</summary>
public sealed record ExtAuthzGrpcProvider
{
    public string? Service { get; init; }

    public uint Port { get; init; }

    public TimeSpan? Timeout { get; init; }

    public bool FailOpen { get; init; }

    public string? StatusOnError { get; init; }

    public ExtAuthzRequestBody? IncludeRequestBodyInCheck { get; init; }
}

/// <summary><c>ExtensionProvider.EnvoyExternalAuthorizationRequestBody</c>.</summary>
public sealed record ExtAuthzRequestBody
{
    public uint MaxRequestBytes { get; init; }

    public bool AllowPartialMessage { get; init; }

    public bool PackAsBytes { get; init; }
}
