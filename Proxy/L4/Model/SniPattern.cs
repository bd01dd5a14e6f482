namespace Mesh.Proxy.L4.Model;

/// <summary>
/// One server name of a filter chain, matched as Envoy's filter chain match does: an exact name,
/// a wildcard suffix (<c>*.example.com</c> covers any name below it), or <c>*</c> (any name, and no SNI).
/// </summary>
internal readonly record struct SniPattern(string Text)
{
    public bool IsAny => Text == "*";

    /// <summary>How specifically the pattern matches <paramref name="serverName"/>: -1 no match, 0 <c>*</c>, suffix length for wildcards, <see cref="int.MaxValue"/> exact.</summary>
    public int Score(string? serverName)
    {
        if (IsAny)
        {
            return 0;
        }

        if (string.IsNullOrEmpty(serverName))
        {
            return -1;
        }

        if (Text.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = Text.AsSpan(1);
            return serverName.Length > suffix.Length && serverName.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? suffix.Length : -1;
        }

        return string.Equals(Text, serverName, StringComparison.OrdinalIgnoreCase) ? int.MaxValue : -1;
    }

    /// <summary>The best score of any pattern (-1 when none matches; an empty list matches anything with score 0).</summary>
    public static int Best(IReadOnlyList<SniPattern> patterns, string? serverName)
    {
        if (patterns.Count == 0)
        {
            return 0;
        }

        var best = -1;
        foreach (var pattern in patterns)
        {
            best = Math.Max(best, pattern.Score(serverName));
        }

        return best;
    }
}
