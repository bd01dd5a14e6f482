using System.Text.RegularExpressions;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Traffic.Common;
using Mesh.Proxy.Traffic.Cors;
using Mesh.Proxy.Traffic.Faults;
using Mesh.Proxy.Traffic.Headers;
using Mesh.Proxy.Traffic.LocalReplies;
using Mesh.Proxy.Traffic.Mirroring;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// Compiles a snapshot route's traffic management: the filters that run before the cluster is
/// picked (fault, CORS preflight, mirroring, redirect / direct response, each at its pipeline
/// stage) and the models applied while forwarding (<see cref="RouteHeadersModel"/>,
/// <see cref="CorsPolicyModel"/>). Every invalid field is an error naming it; the snapshot is
/// then rejected.
/// </summary>
internal static class RouteTrafficTranslator
{
    public static void Translate(RouteTranslation translation, TimeProvider time, MirrorSender mirrorSender)
    {
        var route = translation.Source;
        var clusters = translation.Clusters;
        var path = translation.Path;
        var errors = translation.Errors;
        if (FaultTranslator.Translate(route.Fault, $"{path}.fault", errors) is { } fault)
        {
            translation.AddFilter(ProxyStage.Fault, new FaultFilter(fault, time));
        }

        var cors = CorsTranslator.Translate(route.Cors, $"{path}.cors", errors);
        if (cors is not null)
        {
            translation.AddFilter(ProxyStage.Cors, new CorsFilter(cors));
            translation.SetModel(cors);
        }

        var requestHeaders = HeaderOperationsTranslator.Translate(route.RequestHeaders, $"{path}.request_headers", errors);
        var responseHeaders = HeaderOperationsTranslator.Translate(route.ResponseHeaders, $"{path}.response_headers", errors);
        RewriteModel? rewrite = null;
        var destinations = new List<DestinationHeadersModel>();
        switch (route.ActionCase)
        {
            case Route.ActionOneofCase.Route_:
                rewrite = Rewrite(route.Route_.Rewrite, route.Matches, $"{path}.route.rewrite", errors);
                destinations = DestinationHeaders(route.Route_, clusters, $"{path}.route", errors);
                if (Mirrors(route, clusters, $"{path}.mirrors", errors) is { Length: > 0 } mirrors)
                {
                    translation.AddFilter(ProxyStage.Mirror, new MirrorFilter(mirrors, mirrorSender));
                }

                break;

            case Route.ActionOneofCase.Redirect:
                if (RedirectTranslator.Translate(route.Redirect, $"{path}.redirect", errors) is { } redirect)
                {
                    translation.AddFilter(ProxyStage.DirectResponse, LocalReplyFilter.Redirect(redirect, responseHeaders));
                }

                NoMirrors(route, path, "redirect", errors);
                break;

            case Route.ActionOneofCase.DirectResponse:
                var direct = route.DirectResponse;
                if (direct.Status is < 100 or > 599)
                {
                    errors.Add($"{path}.direct_response.status", $"must be 100-599 (got {direct.Status})");
                }
                else
                {
                    translation.AddFilter(ProxyStage.DirectResponse, LocalReplyFilter.DirectResponse((int)direct.Status, direct.Body, responseHeaders));
                }

                NoMirrors(route, path, "direct_response", errors);
                break;
        }

        if (requestHeaders is not null || responseHeaders is not null || rewrite is not null || destinations.Count > 0)
        {
            translation.SetModel(new RouteHeadersModel
            {
                RequestHeaders = requestHeaders,
                ResponseHeaders = responseHeaders,
                Rewrite = rewrite,
                Destinations = [.. destinations],
            });
        }
    }

    private static RewriteModel? Rewrite(Rewrite? rewrite, IReadOnlyList<RouteMatch> matches, string path, TranslationErrors errors)
    {
        if (rewrite is null || (rewrite.Uri.Length == 0 && rewrite.Authority.Length == 0 && rewrite.UriRegex is null))
        {
            return null;
        }

        Regex? regex = null;
        string? substitution = null;
        if (rewrite.UriRegex is { } uriRegex)
        {
            if (rewrite.Uri.Length > 0)
            {
                errors.Add(path, "uri and uri_regex cannot both be set");
                return null;
            }

            try
            {
                var pattern = uriRegex.Match.Replace("(?P<", "(?<", StringComparison.Ordinal);
                regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
                substitution = RewriteModel.TranslateSubstitution(uriRegex.Rewrite);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                errors.Add($"{path}.uri_regex.match", $"'{uriRegex.Match}' is not a valid RE2 regular expression: {ex.Message}");
                return null;
            }
        }

        // Which part of the path a prefix rewrite replaces depends on the match block that matched.
        var prefixLengths = new int[matches.Count];
        for (var i = 0; i < matches.Count; i++)
        {
            var uri = matches[i].Uri;
            prefixLengths[i] = uri?.KindCase switch
            {
                StringMatch.KindOneofCase.Prefix => uri.Prefix.Length,
                StringMatch.KindOneofCase.Exact or StringMatch.KindOneofCase.Regex => -1,
                _ => 1,
            };
        }

        return new RewriteModel(rewrite.Uri, regex, substitution, rewrite.Authority, prefixLengths);
    }

    private static List<DestinationHeadersModel> DestinationHeaders(RouteAction action, IReadOnlyDictionary<string, UpstreamCluster> clusters, string path, TranslationErrors errors)
    {
        var result = new List<DestinationHeadersModel>();
        for (var i = 0; i < action.Clusters.Count; i++)
        {
            var weighted = action.Clusters[i];
            var request = HeaderOperationsTranslator.Translate(weighted.RequestHeaders, $"{path}.clusters[{i}].request_headers", errors);
            var response = HeaderOperationsTranslator.Translate(weighted.ResponseHeaders, $"{path}.clusters[{i}].response_headers", errors);
            if ((request is null && response is null) || !clusters.TryGetValue(weighted.Cluster, out var cluster))
            {
                continue;
            }

            if (result.Any(d => ReferenceEquals(d.Cluster, cluster)))
            {
                errors.Add($"{path}.clusters[{i}]", $"cluster '{weighted.Cluster}' appears twice in the route with header operations; give each destination its own subset");
                continue;
            }

            result.Add(new DestinationHeadersModel(cluster, request, response));
        }

        return result;
    }

    private static MirrorModel[] Mirrors(Route route, IReadOnlyDictionary<string, UpstreamCluster> clusters, string path, TranslationErrors errors)
    {
        var mirrors = new List<MirrorModel>();
        for (var i = 0; i < route.Mirrors.Count; i++)
        {
            var mirror = route.Mirrors[i];
            var percentage = Percentages.Validate(mirror.Percentage, $"{path}[{i}].percentage", errors);
            if (!clusters.TryGetValue(mirror.Cluster, out var cluster))
            {
                errors.Add($"{path}[{i}].cluster", $"references unknown cluster '{mirror.Cluster}'");
                continue;
            }

            if (cluster.IsPassthrough || !ClusterConventions.IsHttpRoutable(cluster.Protocol))
            {
                errors.Add($"{path}[{i}].cluster", $"cluster '{mirror.Cluster}' cannot receive mirrored HTTP traffic ({(cluster.IsPassthrough ? "PASSTHROUGH" : cluster.Protocol.ToString())})");
                continue;
            }

            if (percentage > 0)
            {
                mirrors.Add(new MirrorModel(cluster, percentage));
            }
        }

        return [.. mirrors];
    }

    private static void NoMirrors(Route route, string path, string action, TranslationErrors errors)
    {
        if (route.Mirrors.Count > 0)
        {
            errors.Add($"{path}.mirrors", $"a {action} route forwards nothing to mirror");
        }
    }

}
