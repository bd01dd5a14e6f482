using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's VirtualService rules (tcp and tls routes: <see cref="VirtualServiceTcpTlsValidator"/>), plus errors for what Mesh cannot honour.</summary>
internal static partial class VirtualServiceValidator
{
    public static void Validate(VirtualServiceConfig spec, ValidationContext context)
    {
        var appliesToMesh = spec.Gateways.Count == 0 || spec.Gateways.Contains("mesh");
        if (spec.Hosts.Count == 0)
        {
            // Istio treats a VirtualService without hosts as a delegate; Mesh does not support delegation.
            context.Error("spec.hosts", "at least one host is required (delegate VirtualServices without hosts are not supported)");
        }

        var hostsValid = true;
        for (var i = 0; i < spec.Hosts.Count; i++)
        {
            var host = spec.Hosts[i];
            if (IstioRules.WildcardDomain(host) is { } error && !IstioRules.IsIpAddress(host))
            {
                context.Error($"spec.hosts[{i}]", error);
                hostsValid = false;
            }
            else if (appliesToMesh && host == "*")
            {
                context.Error($"spec.hosts[{i}]", "wildcard host * is not allowed for virtual services bound to the mesh gateway");
                hostsValid = false;
            }
        }

        if (hostsValid)
        {
            for (var i = 0; i < spec.Hosts.Count; i++)
            {
                for (var j = i + 1; j < spec.Hosts.Count; j++)
                {
                    if (HostMatches(spec.Hosts[i], spec.Hosts[j]))
                    {
                        context.Error($"spec.hosts[{j}]", $"duplicate hosts in virtual service: {spec.Hosts[i]} & {spec.Hosts[j]}");
                    }
                }
            }
        }

        ValidateGatewayNames(spec.Gateways, "spec.gateways", context);
        if (spec.Http.Count == 0 && spec.Tcp.Count == 0 && spec.Tls.Count == 0)
        {
            context.Error("spec.http", "http, tcp or tls must be provided in virtual service");
        }

        for (var i = 0; i < spec.Http.Count; i++)
        {
            ValidateHttpRoute(spec.Http[i], $"spec.http[{i}]", appliesToMesh && !IsGatewayOnly(spec), context);
        }

        VirtualServiceTcpTlsValidator.Validate(spec, context);

        ExportTo.Validate(spec.ExportTo, "spec.exportTo", context);
    }

    private static bool IsGatewayOnly(VirtualServiceConfig spec) => spec.Gateways.Count > 0 && !spec.Gateways.Contains("mesh");

    internal static void ValidateGatewayNames(ValueList<string> gateways, string path, ValidationContext context)
    {
        for (var i = 0; i < gateways.Count; i++)
        {
            var name = gateways[i];
            var parts = name.Split('/', 2);
            if (parts.Length == 1)
            {
                if (IstioRules.Fqdn(name) is { } error)
                {
                    context.Error($"{path}[{i}]", error);
                }

                continue;
            }

            if (parts[0].Length == 0 || parts[1].Length == 0)
            {
                context.Error($"{path}[{i}]", "config namespace and gateway name cannot be empty");
                continue;
            }

            if (!IstioRules.IsDns1123Label(parts[0]))
            {
                context.Error($"{path}[{i}]", $"invalid value for namespace: \"{parts[0]}\"");
            }

            if (!IstioRules.IsDns1123Label(parts[1]))
            {
                context.Error($"{path}[{i}]", $"invalid value for gateway name: \"{parts[1]}\"");
            }
        }
    }

    private static void ValidateHttpRoute(HttpRoute route, string path, bool forSidecars, ValidationContext context)
    {
        var actions = (route.Route.Count > 0 ? 1 : 0) + (route.Redirect is not null ? 1 : 0) + (route.DirectResponse is not null ? 1 : 0);
        if (actions == 0 && route.Delegate is null)
        {
            context.Error($"{path}.route", "HTTP route, redirect or directResponse is required");
        }

        if (route.Redirect is not null && route.Route.Count > 0)
        {
            context.Error($"{path}.redirect", "HTTP route cannot contain both route and redirect");
        }

        if (route.DirectResponse is not null && (route.Route.Count > 0 || route.Redirect is not null))
        {
            context.Error($"{path}.directResponse", "HTTP route cannot contain both directResponse and route or redirect");
        }

        if (route.Redirect is not null || route.DirectResponse is not null)
        {
            // Istio: redirect/directResponse rules cannot carry route-only behaviour.
            if (route.Fault is not null)
            {
                context.Error($"{path}.fault", "HTTP route cannot contain fault with redirect or directResponse");
            }

            if (route.Rewrite is not null)
            {
                context.Error($"{path}.rewrite", "HTTP route rule cannot contain both rewrite and redirect or directResponse");
            }

            if (route.Mirror is not null || route.Mirrors.Count > 0)
            {
                context.Error($"{path}.mirror", "HTTP route cannot contain mirror with redirect or directResponse");
            }
        }

        if (route.Mirror is not null && route.Mirrors.Count > 0)
        {
            context.Error($"{path}.mirrors", "HTTP route cannot contain both mirror and mirrors");
        }

        for (var i = 0; i < route.Match.Count; i++)
        {
            ValidateMatch(route.Match[i], $"{path}.match[{i}]", forSidecars, context);
        }

        ValidateDestinations(route.Route, $"{path}.route", context);
        ValidateHeaders(route.Headers, $"{path}.headers", context);
        ValidateRedirect(route.Redirect, $"{path}.redirect", context);
        ValidateDirectResponse(route.DirectResponse, $"{path}.directResponse", context);
        ValidateRewrite(route.Rewrite, $"{path}.rewrite", context);
        ValidateAuthorityRewrite(route, path, context);
        ValidateRetries(route.Retries, $"{path}.retries", context);
        ValidateFault(route.Fault, $"{path}.fault", context);
        ValidateCors(route.CorsPolicy, $"{path}.corsPolicy", context);
        if (route.Timeout is { } timeout && IstioRules.Duration(timeout) is { } timeoutError)
        {
            context.Error($"{path}.timeout", timeoutError);
        }

        if (route.Mirror is not null)
        {
            ValidateDestination(route.Mirror, $"{path}.mirror", context);
        }

        if (IstioRules.Percent((int?)route.MirrorPercent) is { } mirrorPercentError)
        {
            context.Error($"{path}.mirrorPercent", mirrorPercentError);
        }

        if (route.MirrorPercentage?.Value is < 0 or > 100)
        {
            context.Error($"{path}.mirrorPercentage.value", $"mirror percentage must be in range 0..100 (it has {route.MirrorPercentage.Value})");
        }

        for (var i = 0; i < route.Mirrors.Count; i++)
        {
            var mirror = route.Mirrors[i];
            if (mirror.Destination is null)
            {
                context.Error($"{path}.mirrors[{i}].destination", "destination is required for mirrors");
                continue;
            }

            ValidateDestination(mirror.Destination, $"{path}.mirrors[{i}].destination", context);
            if (mirror.Percentage?.Value is > 100)
            {
                context.Error($"{path}.mirrors[{i}].percentage.value", $"mirror percentage must have a max value of 100 (it has {mirror.Percentage.Value})");
            }

            if (mirror.Percentage?.Value is < 0)
            {
                context.Error($"{path}.mirrors[{i}].percentage.value", $"mirror percentage must have a min value of 0 (it has {mirror.Percentage.Value})");
            }
        }
    }

    private static void ValidateMatch(HttpMatchRequest match, string path, bool forSidecars, ValidationContext context)
    {
        IstioRules.StringMatch(match.Uri, $"{path}.uri", context);
        IstioRules.StringMatch(match.Scheme, $"{path}.scheme", context);
        IstioRules.StringMatch(match.Method, $"{path}.method", context);
        IstioRules.StringMatch(match.Authority, $"{path}.authority", context);
        ValidateHeaderMatches(match.Headers, $"{path}.headers", context);
        ValidateHeaderMatches(match.WithoutHeaders, $"{path}.withoutHeaders", context, without: true);
        foreach (var (name, value) in match.QueryParams)
        {
            IstioRules.StringMatch(value, FieldPath.Key($"{path}.queryParams", name), context);
        }

        if (match.Port is > 0 && IstioRules.Port(match.Port) is { } portError)
        {
            context.Error($"{path}.port", portError);
        }

        IstioRules.Labels(match.SourceLabels, $"{path}.sourceLabels", context);
        ValidateGatewayNames(match.Gateways, $"{path}.gateways", context);
        if (match.SourceNamespace is { } ns && !IstioRules.IsDns1123Label(ns))
        {
            context.Error($"{path}.sourceNamespace", $"invalid sourceNamespace \"{ns}\"");
        }

        _ = forSidecars;
    }

    private static void ValidateHeaderMatches(ValueMap<StringMatch> headers, string path, ValidationContext context, bool without = false)
    {
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith("@request.auth.claims", StringComparison.Ordinal))
            {
                context.Error(FieldPath.Key(path, name), "JWT claim based routing is not supported: the proxy does not route on JWT claims");
                continue;
            }

            if (IstioRules.MatchHeaderName(name) is { } error)
            {
                context.Error(FieldPath.Key(path, name), error);
            }

            // Istio does not check a withoutHeaders regex of "*" (it reads as "any value").
            if (!(without && value.Regex == "*"))
            {
                IstioRules.StringMatch(value, FieldPath.Key(path, name), context);
            }
        }
    }

    private static void ValidateDestinations(ValueList<HttpRouteDestination> destinations, string path, ValidationContext context)
    {
        var total = 0L;
        for (var i = 0; i < destinations.Count; i++)
        {
            var destination = destinations[i];
            var itemPath = $"{path}[{i}]";
            if (destination.Destination is null)
            {
                context.Error($"{itemPath}.destination", "destination is required");
            }
            else
            {
                ValidateDestination(destination.Destination, $"{itemPath}.destination", context);
            }

            if (destination.Weight is < 0)
            {
                context.Error($"{itemPath}.weight", $"weight {destination.Weight} < 0");
            }

            total += destination.Weight ?? 0;
            ValidateHeaders(destination.Headers, $"{itemPath}.headers", context);
        }

        // Istio (1.x since weights became relative) only rejects a split where nothing gets traffic.
        if (destinations.Count > 1 && total == 0)
        {
            context.Error(path, "total destination weight = 0");
        }
    }

    internal static void ValidateDestination(Destination destination, string path, ValidationContext context)
    {
        if (string.IsNullOrEmpty(destination.Host))
        {
            context.Error($"{path}.host", "destination host is required");
        }
        else if (destination.Host == "*")
        {
            context.Error($"{path}.host", $"invalid destination host {destination.Host}");
        }
        else if (IstioRules.WildcardDomain(destination.Host) is { } error)
        {
            context.Error($"{path}.host", error);
        }

        if (destination.Subset is { } subset && (subset.Length == 0 || !IstioRules.IsDns1123Label(subset)))
        {
            context.Error($"{path}.subset", subset.Length == 0 ? "subset name cannot be empty" : $"subset name is invalid: {subset}");
        }

        if (destination.Port is { } port && IstioRules.Port(port.Number) is { } portError)
        {
            context.Error($"{path}.port.number", portError);
        }
    }

    private static void ValidateHeaders(Headers? headers, string path, ValidationContext context)
    {
        if (headers is null)
        {
            return;
        }

        ValidateHeaderOperations(headers.Request, $"{path}.request", allowAuthority: true, context);
        ValidateHeaderOperations(headers.Response, $"{path}.response", allowAuthority: false, context);
    }

    private static void ValidateHeaderOperations(HeaderOperations? operations, string path, bool allowAuthority, ValidationContext context)
    {
        if (operations is null)
        {
            return;
        }

        foreach (var (kind, map) in new[] { ("set", operations.Set), ("add", operations.Add) })
        {
            foreach (var (name, value) in map)
            {
                if (IstioRules.OperationHeaderName(name, allowAuthority) is { } error)
                {
                    context.Error(FieldPath.Key($"{path}.{kind}", name), error);
                }

                if (IstioRules.HeaderValue(value) is { } valueError)
                {
                    context.Error(FieldPath.Key($"{path}.{kind}", name), valueError);
                }
            }
        }

        for (var i = 0; i < operations.Remove.Count; i++)
        {
            if (IstioRules.OperationHeaderName(operations.Remove[i], allowAuthority: false) is { } error)
            {
                context.Error($"{path}.remove[{i}]", error);
            }
        }
    }

    // Istio's host.Name.Matches: equal, or one wildcard covers the other.
    internal static bool HostMatches(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
        || (a.StartsWith('*') && b.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase))
        || (b.StartsWith('*') && a.EndsWith(b[1..], StringComparison.OrdinalIgnoreCase));
}
