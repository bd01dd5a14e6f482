using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>HTTPMatchRequest</c>: conditions ANDed inside one match block.</summary>
public sealed record HttpMatchRequest
{
    public string? Name { get; init; }

    public StringMatch? Uri { get; init; }

    public StringMatch? Scheme { get; init; }

    public StringMatch? Method { get; init; }

    public StringMatch? Authority { get; init; }

    [Limited("JWT claim matches (@request.auth.claims.*) are refused: the proxy does not route on JWT claims")]
    public ValueMap<StringMatch> Headers { get; init; } = ValueMap<StringMatch>.Empty;

    public uint? Port { get; init; }

    public ValueMap<string> SourceLabels { get; init; } = ValueMap<string>.Empty;

    public ValueList<string> Gateways { get; init; } = [];

    public ValueMap<StringMatch> QueryParams { get; init; } = ValueMap<StringMatch>.Empty;

    public bool? IgnoreUriCase { get; init; }

    [Limited("JWT claim matches (@request.auth.claims.*) are refused: the proxy does not route on JWT claims")]
    public ValueMap<StringMatch> WithoutHeaders { get; init; } = ValueMap<StringMatch>.Empty;

    public string? SourceNamespace { get; init; }

    [Ignored("it names Envoy's per-route statistics; Mesh reports Istio's standard metrics, which have no per-route prefix")]
    public string? StatPrefix { get; init; }
}

/// <summary>Istio's <c>StringMatch</c> oneof: exact, prefix or regex (RE2, full match). Empty = presence only.</summary>
public sealed record StringMatch
{
    public string? Exact { get; init; }

    public string? Prefix { get; init; }

    public string? Regex { get; init; }
}
