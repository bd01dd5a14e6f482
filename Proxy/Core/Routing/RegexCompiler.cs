using System.Text.RegularExpressions;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// Compiles Istio/Envoy regexes (RE2 syntax) for .NET. RE2 guarantees linear-time matching and
/// has no backreferences or lookaround; the NonBacktracking engine gives the same guarantee and
/// rejects the same constructs, so a pattern Envoy would reject also fails here.
/// </summary>
internal static class RegexCompiler
{
    public static Regex CompileFullMatch(string pattern, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var options = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;
        if (ignoreCase)
        {
            options |= RegexOptions.IgnoreCase;
        }

        var translated = TranslateRe2Syntax(pattern);
        try
        {
            // Validate the pattern alone first: errors then name the user's offsets, and a pattern
            // with unbalanced parentheses cannot escape the anchoring group below.
            _ = new Regex(translated, options);

            // Istio matches the whole value; anchor instead of trusting the pattern to do it.
            return new Regex($@"\A(?:{translated})\z", options);
        }
        catch (NotSupportedException ex)
        {
            // NonBacktracking throws NotSupportedException for constructs RE2 also lacks.
            throw new ArgumentException(ex.Message, nameof(pattern), ex);
        }
    }

    /// <summary>RE2 spells named groups (?P&lt;name&gt;...); .NET spells them (?&lt;name&gt;...).</summary>
    private static string TranslateRe2Syntax(string pattern)
        => pattern.Contains("(?P<", StringComparison.Ordinal) ? pattern.Replace("(?P<", "(?<", StringComparison.Ordinal) : pattern;
}
