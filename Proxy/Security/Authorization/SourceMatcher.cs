namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// Istio's <c>Source</c>: every field that is set must hold (values: any matches; not-values:
/// none matches). Peer fields need mTLS — on plaintext there is no principal or namespace.
/// </summary>
internal sealed class SourceMatcher
{
    public PatternList? Principals { get; init; }
    public PatternList? NotPrincipals { get; init; }
    public PatternList? RequestPrincipals { get; init; }
    public PatternList? NotRequestPrincipals { get; init; }
    public PatternList? Namespaces { get; init; }
    public PatternList? NotNamespaces { get; init; }
    public IpBlockList? IpBlocks { get; init; }
    public IpBlockList? NotIpBlocks { get; init; }
    public IpBlockList? RemoteIpBlocks { get; init; }
    public IpBlockList? NotRemoteIpBlocks { get; init; }

    public bool Matches(in AuthorizationInput input) =>
        Field.Check(Principals, NotPrincipals, input.SourcePrincipal)
        && Field.Check(RequestPrincipals, NotRequestPrincipals, input.User?.Principal)
        && Field.Check(Namespaces, NotNamespaces, input.SourceNamespace)
        && (IpBlocks is null || IpBlocks.Contains(input.SourceIp))
        && (NotIpBlocks is null || !NotIpBlocks.Contains(input.SourceIp))
        && (RemoteIpBlocks is null && NotRemoteIpBlocks is null || RemoteMatches(input));

    private bool RemoteMatches(in AuthorizationInput input)
    {
        var remote = input.RemoteIp;
        return (RemoteIpBlocks is null || RemoteIpBlocks.Contains(remote)) && (NotRemoteIpBlocks is null || !NotRemoteIpBlocks.Contains(remote));
    }
}

/// <summary>The values / not-values rule shared by every authorization field.</summary>
internal static class Field
{
    public static bool Check(PatternList? values, PatternList? notValues, string? value) =>
        (values is null || values.Matches(value)) && (notValues is null || !notValues.Matches(value));

    public static bool CheckAny(PatternList? values, PatternList? notValues, IReadOnlyList<string>? value) =>
        (values is null || values.MatchesAny(value)) && (notValues is null || !notValues.MatchesAny(value));
}
