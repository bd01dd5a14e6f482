using System.Text.RegularExpressions;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.Headers;

/// <summary>
/// A route's compiled Istio <c>rewrite</c>: <c>uri</c> replaces the prefix the request matched (the
/// whole path when the match was exact or regex; "/" when the match block has no uri condition, as
/// Envoy's <c>prefix_rewrite</c> on Istio's "/" route), <c>uriRegexRewrite</c> replaces every match of
/// its pattern in the path (RE2 <c>GlobalReplace</c>), and <c>authority</c> replaces the Host.
/// </summary>
internal sealed class RewriteModel
{
    /// <summary>Per match block: how many leading characters of the path the rewrite replaces (-1: the whole path).</summary>
    private readonly int[] _matchedPrefixLengths;
    private readonly int _defaultPrefixLength;

    public RewriteModel(string? uri, Regex? uriRegex, string? regexSubstitution, string? authority, int[] matchedPrefixLengths)
    {
        Uri = string.IsNullOrEmpty(uri) ? null : uri;
        UriRegex = uriRegex;
        RegexSubstitution = regexSubstitution ?? string.Empty;
        Authority = string.IsNullOrEmpty(authority) ? null : authority;
        _matchedPrefixLengths = matchedPrefixLengths;

        // A route without match blocks matches everything through Istio's "/" prefix.
        _defaultPrefixLength = 1;
    }

    public string? Uri { get; }

    public Regex? UriRegex { get; }

    /// <summary>The replacement in .NET syntax (RE2's \1 translated to ${1}).</summary>
    public string RegexSubstitution { get; }

    public string? Authority { get; }

    public bool RewritesPath => Uri is not null || UriRegex is not null;

    /// <summary>The upstream path for a request that matched <paramref name="route"/> (query string excluded).</summary>
    public string RewritePath(string path, HttpRouteModel route, HttpRequest request, int servicePort)
    {
        if (UriRegex is not null)
        {
            return UriRegex.Replace(path, RegexSubstitution);
        }

        if (Uri is null)
        {
            return path;
        }

        var replaced = MatchedPrefixLength(route, request, servicePort);
        if (replaced < 0 || replaced > path.Length)
        {
            return Uri;
        }

        return string.Concat(Uri, path.AsSpan(replaced));
    }

    private int MatchedPrefixLength(HttpRouteModel route, HttpRequest request, int servicePort)
    {
        var matches = route.Matches;
        for (var i = 0; i < matches.Length && i < _matchedPrefixLengths.Length; i++)
        {
            if (matches[i].Matches(request, servicePort))
            {
                return _matchedPrefixLengths[i];
            }
        }

        return _defaultPrefixLength;
    }

    /// <summary>RE2/Envoy substitutions reference groups as \1; .NET as ${1}. A literal $ must be doubled.</summary>
    public static string TranslateSubstitution(string rewrite)
    {
        var builder = new System.Text.StringBuilder(rewrite.Length + 8);
        for (var i = 0; i < rewrite.Length; i++)
        {
            var c = rewrite[i];
            if (c == '\\' && i + 1 < rewrite.Length && char.IsAsciiDigit(rewrite[i + 1]))
            {
                builder.Append("${").Append(rewrite[i + 1]).Append('}');
                i++;
            }
            else if (c == '\\' && i + 1 < rewrite.Length && rewrite[i + 1] == '\\')
            {
                builder.Append('\\');
                i++;
            }
            else if (c == '$')
            {
                builder.Append("$$");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
