using System.Globalization;

namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// Istio's <c>Condition</c> (<c>when</c>): one request attribute against values / notValues.
/// Multi-valued attributes (audiences, list claims) match when any of their values does.
/// </summary>
internal sealed class ConditionMatcher
{
    private ConditionMatcher(ConditionKey key, string? name, IReadOnlyList<string>? claimPath)
    {
        Key = key;
        Name = name;
        ClaimPath = claimPath;
    }

    public ConditionKey Key { get; }

    /// <summary>The header name of request.headers[...].</summary>
    public string? Name { get; }

    /// <summary>The claim path of request.auth.claims[a][b].</summary>
    public IReadOnlyList<string>? ClaimPath { get; }

    public PatternList? Values { get; private init; }
    public PatternList? NotValues { get; private init; }
    public IpBlockList? Blocks { get; private init; }
    public IpBlockList? NotBlocks { get; private init; }
    public int[]? Ports { get; private init; }
    public int[]? NotPorts { get; private init; }

    public bool Matches(in AuthorizationInput input)
    {
        switch (Key)
        {
            case ConditionKey.SourceIp:
                return IpMatches(input.SourceIp);
            case ConditionKey.RemoteIp:
                return IpMatches(input.RemoteIp);
            case ConditionKey.DestinationIp:
                return IpMatches(input.DestinationIp);
            case ConditionKey.DestinationPort:
                return (Ports is null || input.DestinationPortIsAny(Ports)) && (NotPorts is null || !input.DestinationPortIsAny(NotPorts));
            case ConditionKey.RequestHeader:
                var header = input.Context.Request.Headers[Name!];
                return Field.Check(Values, NotValues, header.Count == 0 ? null : header.ToString());
            case ConditionKey.SourcePrincipal:
                return Field.Check(Values, NotValues, input.SourcePrincipal);
            case ConditionKey.SourceNamespace:
                return Field.Check(Values, NotValues, input.SourceNamespace);
            case ConditionKey.RequestPrincipal:
                return Field.Check(Values, NotValues, input.User?.Principal);
            case ConditionKey.RequestAudiences:
                return Field.CheckAny(Values, NotValues, input.User?.Audiences);
            case ConditionKey.RequestPresenter:
                return Field.Check(Values, NotValues, input.User?.Presenter);
            case ConditionKey.RequestClaim:
                return Field.CheckAny(Values, NotValues, input.User?.Claim(ClaimPath!));
            case ConditionKey.ConnectionSni:
                return Field.Check(Values, NotValues, input.Peer?.ServerName);
            default:
                return false;
        }
    }

    private bool IpMatches(System.Net.IPAddress? address) =>
        (Blocks is null || Blocks.Contains(address)) && (NotBlocks is null || !NotBlocks.Contains(address));

    /// <summary>Compiles a condition; null with an error for unknown keys and bad values.</summary>
    public static ConditionMatcher? Create(string key, IReadOnlyList<string> values, IReadOnlyList<string> notValues, out string? error)
    {
        error = null;
        ConditionMatcher? matcher = key switch
        {
            "source.ip" => new(ConditionKey.SourceIp, null, null),
            "remote.ip" => new(ConditionKey.RemoteIp, null, null),
            "destination.ip" => new(ConditionKey.DestinationIp, null, null),
            "destination.port" => new(ConditionKey.DestinationPort, null, null),
            "source.principal" => new(ConditionKey.SourcePrincipal, null, null),
            "source.namespace" => new(ConditionKey.SourceNamespace, null, null),
            "request.auth.principal" => new(ConditionKey.RequestPrincipal, null, null),
            "request.auth.audiences" => new(ConditionKey.RequestAudiences, null, null),
            "request.auth.presenter" => new(ConditionKey.RequestPresenter, null, null),
            "connection.sni" => new(ConditionKey.ConnectionSni, null, null),
            _ when Bracketed(key, "request.headers") is [var header] => new(ConditionKey.RequestHeader, header, null),
            _ when Bracketed(key, "request.auth.claims") is { Count: > 0 } path => new(ConditionKey.RequestClaim, null, path),
            _ => null,
        };
        if (matcher is null)
        {
            error = $"unknown attribute: {key}";
            return null;
        }

        if (matcher.Key is ConditionKey.SourceIp or ConditionKey.RemoteIp or ConditionKey.DestinationIp)
        {
            var blocks = AuthorizationTranslator.ParseBlocks(values, out error);
            var notBlocks = error is null ? AuthorizationTranslator.ParseBlocks(notValues, out error) : null;
            return error is null ? new ConditionMatcher(matcher.Key, null, null) { Blocks = blocks, NotBlocks = notBlocks } : null;
        }

        if (matcher.Key == ConditionKey.DestinationPort)
        {
            var ports = ParsePorts(values, out error);
            var notPorts = error is null ? ParsePorts(notValues, out error) : null;
            return error is null ? new ConditionMatcher(matcher.Key, null, null) { Ports = ports, NotPorts = notPorts } : null;
        }

        // Header names are case-insensitive, their values and everything else are not.
        return new ConditionMatcher(matcher.Key, matcher.Name, matcher.ClaimPath)
        {
            Values = PatternList.From([.. values]),
            NotValues = PatternList.From([.. notValues]),
        };
    }

    private static int[]? ParsePorts(IReadOnlyList<string> values, out string? error)
    {
        error = null;
        if (values.Count == 0)
        {
            return null;
        }

        var ports = new int[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (!int.TryParse(values[i], NumberStyles.None, CultureInfo.InvariantCulture, out ports[i]) || ports[i] > 65535)
            {
                error = $"'{values[i]}' is not a port number";
                return null;
            }
        }

        return ports;
    }

    /// <summary><c>prefix[a][b]</c> → [a, b]; null when the key is not of that form.</summary>
    private static List<string>? Bracketed(string key, string prefix)
    {
        if (!key.StartsWith(prefix + "[", StringComparison.Ordinal) || !key.EndsWith(']'))
        {
            return null;
        }

        var parts = key[(prefix.Length + 1)..^1].Split("][");
        return parts.Any(p => p.Length == 0 || p.Contains('[') || p.Contains(']')) ? null : [.. parts];
    }
}

/// <summary>The request attributes <c>when</c> conditions may name.</summary>
internal enum ConditionKey
{
    SourceIp,
    RemoteIp,
    DestinationIp,
    DestinationPort,
    RequestHeader,
    SourcePrincipal,
    SourceNamespace,
    RequestPrincipal,
    RequestAudiences,
    RequestPresenter,
    RequestClaim,
    ConnectionSni,
}
