using System.Text.RegularExpressions;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// A compiled Istio StringMatch (exact, prefix, regex or presence). Regexes are compiled once
/// per snapshot with full-match (RE2/Istio) semantics on a linear-time engine.
/// </summary>
public abstract class StringMatcher
{
    /// <summary>The Istio-style description, for diagnostics.</summary>
    public abstract string Description { get; }

    public abstract bool Matches(ReadOnlySpan<char> value);

    public static StringMatcher Exact(string value, bool ignoreCase) => new ExactMatcher(value, ignoreCase);

    public static StringMatcher Prefix(string value, bool ignoreCase) => new PrefixMatcher(value, ignoreCase);

    /// <summary>Any value, including the empty one (Istio's <c>{}</c> match: presence only).</summary>
    public static StringMatcher Any { get; } = new AnyMatcher();

    /// <summary>Compiles an RE2-syntax pattern for a full match; throws <see cref="ArgumentException"/> when it does not compile.</summary>
    public static StringMatcher Regex(string pattern, bool ignoreCase) => new RegexMatcher(pattern, ignoreCase);

    public override string ToString() => Description;

    private sealed class ExactMatcher(string value, bool ignoreCase) : StringMatcher
    {
        private readonly StringComparison _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        public override string Description => $"exact:{value}";

        public override bool Matches(ReadOnlySpan<char> candidate) => candidate.Equals(value, _comparison);
    }

    private sealed class PrefixMatcher(string value, bool ignoreCase) : StringMatcher
    {
        private readonly StringComparison _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

        public override string Description => $"prefix:{value}";

        public override bool Matches(ReadOnlySpan<char> candidate) => candidate.StartsWith(value, _comparison);
    }

    private sealed class AnyMatcher : StringMatcher
    {
        public override string Description => "present";

        public override bool Matches(ReadOnlySpan<char> candidate) => true;
    }

    private sealed class RegexMatcher : StringMatcher
    {
        private readonly Regex _regex;
        private readonly string _pattern;

        public RegexMatcher(string pattern, bool ignoreCase)
        {
            _pattern = pattern;
            _regex = RegexCompiler.CompileFullMatch(pattern, ignoreCase);
        }

        public override string Description => $"regex:{_pattern}";

        public override bool Matches(ReadOnlySpan<char> candidate) => _regex.IsMatch(candidate);
    }
}
