using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Tests.Unit;

public sealed class StringMatcherTests
{
    [Theory]
    [InlineData("exact", "/productpage", false, "/productpage", true)]
    [InlineData("exact", "/productpage", false, "/productpage/", false)]
    [InlineData("exact", "/productpage", false, "/ProductPage", false)]
    [InlineData("exact", "/productpage", true, "/ProductPage", true)]
    [InlineData("exact", "", false, "", true)]
    [InlineData("prefix", "/api/v1", false, "/api/v1/products", true)]
    [InlineData("prefix", "/api/v1", false, "/api/v1", true)]
    [InlineData("prefix", "/api/v1", false, "/api/v2", false)]
    [InlineData("prefix", "/API", true, "/api/x", true)]
    [InlineData("prefix", "/", false, "", false)]
    [InlineData("regex", "/reviews/[0-9]+", false, "/reviews/12", true)]
    [InlineData("regex", "/reviews/[0-9]+", false, "/reviews/12/x", false)] // full match, not a search
    [InlineData("regex", "/reviews/[0-9]+", false, "x/reviews/12", false)]
    [InlineData("regex", "a|b", false, "b", true)] // alternation stays inside the anchors
    [InlineData("regex", "a|b", false, "ab", false)]
    [InlineData("regex", "/Reviews/.*", true, "/reviews/x", true)]
    [InlineData("regex", "(?P<id>[0-9]+)", false, "42", true)] // RE2 named group syntax
    [InlineData("regex", ".*", false, "", true)]
    public void Matches_like_istio(string kind, string pattern, bool ignoreCase, string input, bool expected)
    {
        var matcher = kind switch
        {
            "exact" => StringMatcher.Exact(pattern, ignoreCase),
            "prefix" => StringMatcher.Prefix(pattern, ignoreCase),
            _ => StringMatcher.Regex(pattern, ignoreCase),
        };

        Assert.Equal(expected, matcher.Matches(input));
    }

    [Theory]
    [InlineData("(")]
    [InlineData("[a-")]
    [InlineData("(a)\\1")] // backreferences: RE2 has none
    [InlineData("(?=a)a")] // lookahead: RE2 has none
    [InlineData("(?<=a)b")] // lookbehind
    public void Patterns_RE2_rejects_do_not_compile(string pattern)
    {
        Assert.ThrowsAny<ArgumentException>(() => StringMatcher.Regex(pattern, ignoreCase: false));
    }

    [Fact]
    public void Any_matches_everything_including_empty()
    {
        Assert.True(StringMatcher.Any.Matches(string.Empty));
        Assert.True(StringMatcher.Any.Matches("x"));
    }
}
