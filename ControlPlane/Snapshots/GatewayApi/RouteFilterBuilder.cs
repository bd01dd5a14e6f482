using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Mesh.Config.Model.GatewayApi;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Turns Gateway API filters into the snapshot's route features, as Istio's conversion does:
/// header modifiers into header operations, RequestRedirect into a redirect, URLRewrite into a
/// rewrite (ReplacePrefixMatch as a path-segment-aware regex rewrite), CORS into a CORS policy.
/// Each returns a problem instead when the mesh cannot honour a value.
/// </summary>
internal static class RouteFilterBuilder
{
    public static Wire.HeaderOperations? HeaderOperations(HttpHeaderFilter? filter)
    {
        if (filter is null)
        {
            return null;
        }

        var result = new Wire.HeaderOperations();
        // "Subsequent entries with an equivalent header name MUST be ignored."
        foreach (var header in filter.Set.Where(h => h.Name is not null))
        {
            result.Set.TryAdd(header.Name!.ToLowerInvariant(), header.Value ?? "");
        }

        foreach (var header in filter.Add.Where(h => h.Name is not null))
        {
            result.Add.TryAdd(header.Name!.ToLowerInvariant(), header.Value ?? "");
        }

        result.Remove.AddRange(filter.Remove.Select(r => r.ToLowerInvariant()).Distinct(StringComparer.Ordinal));
        return result;
    }

    /// <summary>
    /// A RequestRedirect: the spec's default code is 302. Without a port, the port of the request
    /// is kept (the listener's port on a cluster), and a scheme change to its default port drops
    /// it, as the spec asks for http:80 and https:443.
    /// </summary>
    public static (Wire.Redirect? Redirect, string? Problem) Redirect(HttpRequestRedirectFilter filter)
    {
        var redirect = new Wire.Redirect
        {
            Scheme = filter.Scheme ?? "",
            Authority = filter.Hostname ?? "",
            Port = (uint)(filter.Port ?? 0),
            Code = (uint)(filter.StatusCode ?? 302),
        };
        switch (filter.Path?.Type)
        {
            case PathModifierType.ReplaceFullPath:
                redirect.Uri = filter.Path.ReplaceFullPath ?? "/";
                break;
            case PathModifierType.ReplacePrefixMatch:
                return (null, "RequestRedirect path.replacePrefixMatch is not supported (use ReplaceFullPath)");
        }

        return (redirect, null);
    }

    /// <summary>A URLRewrite; <paramref name="matchedPrefix"/> is the rule's PathPrefix match (the CRD guarantees one for ReplacePrefixMatch).</summary>
    public static Wire.Rewrite Rewrite(HttpUrlRewriteFilter filter, string? matchedPrefix)
    {
        var rewrite = new Wire.Rewrite { Authority = filter.Hostname ?? "" };
        switch (filter.Path?.Type)
        {
            case PathModifierType.ReplaceFullPath:
                rewrite.UriRegex = new Wire.RegexRewrite { Match = "^.*$", Rewrite = filter.Path.ReplaceFullPath ?? "/" };
                break;
            case PathModifierType.ReplacePrefixMatch:
                rewrite.UriRegex = PrefixRewrite(matchedPrefix ?? "/", filter.Path.ReplacePrefixMatch ?? "/");
                break;
        }

        return rewrite;
    }

    /// <summary>
    /// The spec's ReplacePrefixMatch on path segments (a trailing slash on either side is ignored):
    /// <c>/foo</c> → <c>/xyz</c> turns <c>/foo/bar</c> into <c>/xyz/bar</c> and <c>/foo</c> into
    /// <c>/xyz</c>; an empty (or <c>/</c>) replacement turns <c>/foo/bar</c> into <c>/bar</c> and
    /// <c>/foo</c> into <c>/</c>.
    /// </summary>
    public static Wire.RegexRewrite PrefixRewrite(string prefix, string replacement)
    {
        var from = prefix.TrimEnd('/');
        var to = replacement.TrimEnd('/');
        if (to.Length == 0)
        {
            return new Wire.RegexRewrite { Match = $"^{Regex.Escape(from)}(/|$)", Rewrite = "/" };
        }

        return from.Length == 0
            ? new Wire.RegexRewrite { Match = "^/", Rewrite = to + "/" }
            : new Wire.RegexRewrite { Match = $"^{Regex.Escape(from)}", Rewrite = to };
    }

    /// <summary>A CORS filter, as Istio converts it: <c>*</c> origins as a strict origin regex, <c>https://*.example.com</c> as a regex; unmatched preflights answered.</summary>
    public static Wire.CorsPolicy Cors(HttpCorsFilter filter)
    {
        var cors = new Wire.CorsPolicy
        {
            AllowCredentials = filter.AllowCredentials ?? false,
            HasAllowCredentials = filter.AllowCredentials == true,
            UnmatchedPreflights = "IGNORE",
        };
        foreach (var origin in filter.AllowOrigins.Where(o => o.Length > 0))
        {
            cors.AllowOrigins.Add(origin == "*"
                ? new Wire.StringMatch { Regex = @"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$" }
                : !origin.Contains('*', StringComparison.Ordinal) ? new Wire.StringMatch { Exact = origin }
                : new Wire.StringMatch { Regex = "^" + Regex.Escape(origin).Replace("\\*", ".*", StringComparison.Ordinal) + "$" });
        }

        cors.AllowMethods.AddRange(filter.AllowMethods);
        cors.AllowHeaders.AddRange(filter.AllowHeaders);
        cors.ExposeHeaders.AddRange(filter.ExposeHeaders);
        cors.MaxAge = Duration.FromTimeSpan(TimeSpan.FromSeconds(filter.MaxAge ?? 5));
        return cors;
    }

    /// <summary>The share of requests a mirror copies: <c>percent</c>, or <c>fraction</c> (denominator 100 by default), else all.</summary>
    public static double MirrorPercentage(HttpRequestMirrorFilter filter) =>
        filter.Fraction is { Numerator: { } numerator } fraction ? 100.0 * numerator / (fraction.Denominator ?? 100)
        : filter.Percent ?? 100;
}
