using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Explain;

/// <summary>Says in words why a route did or did not match (from <see cref="RouteMatchModel.FirstMismatch"/>).</summary>
internal static class RouteMatchText
{
    public static ExplainItem Describe(HttpRouteModel route, HttpRequest request, int servicePort, out bool matched)
    {
        var name = route.VirtualService is { } vs ? $"{route.Name} ({vs})" : route.Name;
        if (route.Matches.Length == 0)
        {
            matched = true;
            return new ExplainItem(name, "matched", "no match conditions: matches every request");
        }

        var reasons = new List<string>(route.Matches.Length);
        for (var i = 0; i < route.Matches.Length; i++)
        {
            var block = route.Matches[i];
            var label = block.Name is { Length: > 0 } blockName ? $"match[{i}] '{blockName}'" : $"match[{i}]";
            var failed = block.FirstMismatch(request, servicePort, out var index);
            if (failed == MatchCondition.None)
            {
                matched = true;
                return new ExplainItem(name, "matched", $"{label}: every condition holds ({Conditions(block)})");
            }

            reasons.Add($"{label}: {Mismatch(block, failed, index, request, servicePort)}");
        }

        matched = false;
        return new ExplainItem(name, "no match", string.Join("; ", reasons));
    }

    private static string Mismatch(RouteMatchModel block, MatchCondition failed, int index, HttpRequest request, int servicePort) => failed switch
    {
        MatchCondition.Port => $"port {block.Port} wanted, the request is for port {servicePort}",
        MatchCondition.Uri => $"uri {block.Uri} does not match path '{request.Path.Value}'",
        MatchCondition.Method => $"method {block.Method} does not match '{request.Method}'",
        MatchCondition.Authority => $"authority {block.Authority} does not match '{request.Host.Value}'",
        MatchCondition.Scheme => $"scheme {block.Scheme} does not match '{request.Scheme}'",
        MatchCondition.Header => Header(block.Headers[index], request),
        MatchCondition.QueryParam => $"query parameter {block.QueryParams[index].Name} {block.QueryParams[index].Matcher} does not match ({Query(request, block.QueryParams[index].Name)})",
        _ => "matches",
    };

    private static string Header(HeaderMatcher header, HttpRequest request)
    {
        var present = request.Headers.TryGetValue(header.Name, out var values);
        var seen = present ? $"the request has '{values}'" : "the request has no such header";
        return header.Invert
            ? $"withoutHeaders {header.Name} {header.Matcher} holds ({seen})"
            : $"header {header.Name} {header.Matcher} does not hold ({seen})";
    }

    private static string Query(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count > 0 ? $"the request has '{values[0]}'" : "the request has no such parameter";

    private static string Conditions(RouteMatchModel block)
    {
        var parts = new List<string>();
        if (block.Port != 0)
        {
            parts.Add($"port {block.Port}");
        }

        AddIf(parts, "uri", block.Uri);
        AddIf(parts, "method", block.Method);
        AddIf(parts, "authority", block.Authority);
        AddIf(parts, "scheme", block.Scheme);
        parts.AddRange(block.Headers.Select(h => $"{(h.Invert ? "withoutHeaders " : "header ")}{h.Name} {h.Matcher}"));
        parts.AddRange(block.QueryParams.Select(q => $"query {q.Name} {q.Matcher}"));
        return parts.Count == 0 ? "no conditions" : string.Join(", ", parts);
    }

    private static void AddIf(List<string> parts, string what, StringMatcher? matcher)
    {
        if (matcher is not null)
        {
            parts.Add($"{what} {matcher}");
        }
    }
}
