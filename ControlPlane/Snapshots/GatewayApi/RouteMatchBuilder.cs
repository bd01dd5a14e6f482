using System.Text.RegularExpressions;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Gateway API matches as snapshot route matches. <c>PathPrefix</c> matches whole path segments
/// (<c>/static</c> matches <c>/static</c> and <c>/static/x</c>, not <c>/staticx</c>; a trailing slash is
/// ignored), which the snapshot expresses as a full-match regex; <c>/</c> is a plain prefix. Regular
/// expressions are checked here (RE2 as the proxies run it): a bad one is a problem, not a NACK.
/// </summary>
internal static class RouteMatchBuilder
{
    public static (Wire.RouteMatch? Match, RoutePrecedence Precedence, string? Problem) Http(HttpRouteMatch? match)
    {
        var result = new Wire.RouteMatch();
        var type = match?.Path?.Type ?? PathMatchType.PathPrefix;
        var value = match?.Path?.Value ?? "/";
        RoutePrecedence precedence;
        switch (type)
        {
            case PathMatchType.Exact:
                result.Uri = new Wire.StringMatch { Exact = value };
                precedence = new(RoutePrecedence.ExactRank, value.Length, false, 0, 0);
                break;
            case PathMatchType.RegularExpression:
                if (RegexRules.Problem(value) is { } problem)
                {
                    return (null, new(0, 0, false, 0, 0), $"path: {problem}");
                }

                result.Uri = new Wire.StringMatch { Regex = value };
                precedence = new(RoutePrecedence.RegexRank, value.Length, false, 0, 0);
                break;
            default:
                var prefix = value == "/" ? "/" : value.TrimEnd('/');
                result.Uri = prefix == "/" ? new Wire.StringMatch { Prefix = "/" } : new Wire.StringMatch { Regex = $"{Regex.Escape(prefix)}(/.*)?" };
                precedence = new(RoutePrecedence.PrefixRank, prefix.Length, false, 0, 0);
                break;
        }

        if (match is null)
        {
            return (result, precedence, null);
        }

        if (Values(match.Headers, result.Headers, lowerCaseNames: true, "header") is { } headerProblem)
        {
            return (null, precedence, headerProblem);
        }

        if (Values(match.QueryParams, result.QueryParams, lowerCaseNames: false, "query parameter") is { } queryProblem)
        {
            return (null, precedence, queryProblem);
        }

        if (match.Method is { } method)
        {
            result.Method = new Wire.StringMatch { Exact = Config.Loading.IstioEnum.Name(method) };
        }

        return (result, precedence with { HasMethod = match.Method is not null, Headers = match.Headers.Count, QueryParams = match.QueryParams.Count }, null);
    }

    /// <summary>
    /// A gRPC match, as Istio converts it: <c>/service/method</c> exactly; a service alone as the
    /// prefix <c>/service/</c>; a method alone as <c>/[^/]+/method</c>; regular expressions likewise.
    /// </summary>
    public static (Wire.RouteMatch? Match, RoutePrecedence Precedence, string? Problem) Grpc(GrpcRouteMatch? match)
    {
        var result = new Wire.RouteMatch();
        var precedence = new RoutePrecedence(RoutePrecedence.NoPathRank, 0, false, 0, 0);
        if (match?.Method is { } method)
        {
            var service = method.Service;
            var name = method.Method;
            if ((method.Type ?? ValueMatchType.Exact) == ValueMatchType.Exact)
            {
                (result.Uri, precedence) = (service, name) switch
                {
                    (not null, null) => (new Wire.StringMatch { Prefix = $"/{service}/" }, new RoutePrecedence(RoutePrecedence.PrefixRank, service.Length + 2, false, 0, 0)),
                    (null, not null) => (new Wire.StringMatch { Regex = $"/[^/]+/{Regex.Escape(name)}" }, new RoutePrecedence(RoutePrecedence.RegexRank, name.Length, false, 0, 0)),
                    _ => (new Wire.StringMatch { Exact = $"/{service}/{name}" }, new RoutePrecedence(RoutePrecedence.ExactRank, (service?.Length ?? 0) + (name?.Length ?? 0) + 2, false, 0, 0)),
                };
            }
            else
            {
                var pattern = (service, name) switch
                {
                    (not null, null) => $"/{service}/.+",
                    (null, not null) => $"/[^/]+/{name}",
                    _ => $"/{service}/{name}",
                };
                if (RegexRules.Problem(pattern) is { } problem)
                {
                    return (null, precedence, $"method: {problem}");
                }

                result.Uri = new Wire.StringMatch { Regex = pattern };
                precedence = new(RoutePrecedence.RegexRank, pattern.Length, false, 0, 0);
            }
        }

        if (match is not null && Values(match.Headers, result.Headers, lowerCaseNames: true, "header") is { } headerProblem)
        {
            return (null, precedence, headerProblem);
        }

        return (result, precedence with { Headers = match?.Headers.Count ?? 0 }, null);
    }

    private static string? Values(IReadOnlyList<HttpHeaderMatch> matches, Google.Protobuf.Collections.MapField<string, Wire.StringMatch> into, bool lowerCaseNames, string what)
    {
        foreach (var match in matches)
        {
            var name = lowerCaseNames ? match.Name!.ToLowerInvariant() : match.Name!;
            var value = match.Value ?? "";
            if ((match.Type ?? ValueMatchType.Exact) == ValueMatchType.RegularExpression)
            {
                if (RegexRules.Problem(value) is { } problem)
                {
                    return $"{what} {match.Name}: {problem}";
                }

                into[name] = new Wire.StringMatch { Regex = value };
            }
            else
            {
                into[name] = new Wire.StringMatch { Exact = value };
            }
        }

        return null;
    }
}
