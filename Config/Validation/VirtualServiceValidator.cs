using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's VirtualService rules (tcp and tls routes: <see cref="VirtualServiceTcpTlsValidator"/>), plus errors for what Mesh cannot honour.</summary>
internal static class VirtualServiceValidator
{
    private static readonly HashSet<string> RetryOnPolicies =
    [
        "5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx", "refused-stream",
        "retriable-status-codes", "retriable-headers", "envoy-ratelimited", "http3-post-connect-failure",
        "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
    ];

    private static readonly HashSet<string> CorsMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"];

    private static readonly HashSet<string> GrpcStatuses =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE",
        "DATA_LOSS", "UNAUTHENTICATED",
    ];

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

    private static void ValidateRedirect(HttpRedirect? redirect, string path, ValidationContext context)
    {
        if (redirect is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(redirect.Uri) && string.IsNullOrEmpty(redirect.Authority) && redirect.Port is null
            && redirect.DerivePort is null && string.IsNullOrEmpty(redirect.Scheme))
        {
            context.Error(path, "redirect must specify URI, authority, scheme, or port");
        }

        if (redirect.Port is not null && redirect.DerivePort is not null)
        {
            context.Error(path, "only one of port or derivePort may be set");
        }

        if (redirect.RedirectCode is { } code and (< 300 or > 399))
        {
            context.Error($"{path}.redirectCode", $"{code} is not a valid redirect code, must be 3xx");
        }
        else if (redirect.RedirectCode is { } other and not (0 or 301 or 302 or 303 or 307 or 308))
        {
            context.Error($"{path}.redirectCode", $"redirect code {other} is not supported: the proxy sends 301, 302, 303, 307 or 308");
        }

        if (redirect.Scheme is { Length: > 0 } scheme && scheme is not ("http" or "https"))
        {
            context.Error($"{path}.scheme", "invalid redirect scheme, must be \"http\" or \"https\"");
        }

        if (redirect.Port is { } port && IstioRules.Port(port) is { } portError)
        {
            context.Error($"{path}.port", portError);
        }
    }

    private static void ValidateDirectResponse(HttpDirectResponse? response, string path, ValidationContext context)
    {
        if (response is null)
        {
            return;
        }

        if (response.Status is not (>= 200 and <= 599))
        {
            context.Error($"{path}.status", $"HTTP status {response.Status ?? 0} is not in range 200-599");
        }

        if (response.Body is { } body)
        {
            if (body.String is not null && body.Bytes is not null)
            {
                context.Error($"{path}.body", "only one of string or bytes may be set");
            }

            var size = body.String?.Length ?? 0;
            if (body.Bytes is not null)
            {
                var buffer = new byte[body.Bytes.Length];
                if (!Convert.TryFromBase64String(body.Bytes, buffer, out size))
                {
                    context.Error($"{path}.body.bytes", "bytes must be base64 encoded");
                }
                else if (!IsUtf8(buffer.AsSpan(0, size)))
                {
                    context.Error($"{path}.body.bytes", "binary (non UTF-8) direct response bodies are not supported");
                }
            }

            if (size > 1024 * 1024)
            {
                context.Error($"{path}.body", "large direct_responses may impact control plane performance, must be less than 1MB");
            }
        }
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _ = new System.Text.UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static void ValidateRewrite(HttpRewrite? rewrite, string path, ValidationContext context)
    {
        if (rewrite is null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(rewrite.Uri) && rewrite.UriRegexRewrite is not null)
        {
            context.Error(path, "rewrite may only contain one of URI or UriRegexRewrite");
        }

        if (string.IsNullOrEmpty(rewrite.Uri) && rewrite.UriRegexRewrite is null && string.IsNullOrEmpty(rewrite.Authority))
        {
            context.Error(path, "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified");
        }

        if (rewrite.UriRegexRewrite is { } regex)
        {
            if (string.IsNullOrEmpty(regex.Match) || string.IsNullOrEmpty(regex.Rewrite))
            {
                context.Error($"{path}.uriRegexRewrite", "UriRegexRewrite requires both Rewrite and Match fields to be specified");
            }
            else if (IstioRules.Regex(regex.Match) is { } error)
            {
                context.Error($"{path}.uriRegexRewrite.match", error);
            }
        }
    }

    // Istio's validateAuthorityRewrite: rewrite.authority and a request header set/add of Host or
    // :authority each rewrite the authority; more than one of them is ambiguous.
    private static void ValidateAuthorityRewrite(HttpRoute route, string path, ValidationContext context)
    {
        var current = route.Rewrite?.Authority ?? "";
        var request = route.Headers?.Request;
        foreach (var (kind, map) in new[] { ("set", request?.Set), ("add", request?.Add) })
        {
            foreach (var (name, value) in map ?? ValueMap<string>.Empty)
            {
                if (!name.Equals("host", StringComparison.OrdinalIgnoreCase) && name != ":authority")
                {
                    continue;
                }

                if (current.Length > 0)
                {
                    context.Error(FieldPath.Key($"{path}.headers.request.{kind}", name), $"authority header cannot be set multiple times: have \"{current}\", attempting to set \"{value}\"");
                }

                current = value;
            }
        }
    }

    private static void ValidateRetries(HttpRetry? retries, string path, ValidationContext context)
    {
        if (retries is null)
        {
            return;
        }

        if (retries.Attempts is < 0)
        {
            context.Error($"{path}.attempts", "attempts cannot be negative");
        }

        if ((retries.Attempts ?? 0) == 0 && (retries.PerTryTimeout is not null || !string.IsNullOrEmpty(retries.RetryOn) || retries.RetryRemoteLocalities is not null))
        {
            context.Error(path, "http retry policy configured when attempts are set to 0 (disabled)");
        }

        if (retries.PerTryTimeout is { } perTry && IstioRules.Duration(perTry) is { } error)
        {
            context.Error($"{path}.perTryTimeout", error);
        }

        if (!string.IsNullOrEmpty(retries.RetryOn))
        {
            foreach (var policy in retries.RetryOn.Split(','))
            {
                var isStatus = int.TryParse(policy, out var status) && status is >= 100 and <= 599;
                if (!isStatus && !RetryOnPolicies.Contains(policy))
                {
                    context.Error($"{path}.retryOn", $"\"{policy}\" is not a valid retryOn policy");
                }
            }
        }

    }

    private static void ValidateFault(HttpFaultInjection? fault, string path, ValidationContext context)
    {
        if (fault is null)
        {
            return;
        }

        if (fault.Abort is null && fault.Delay is null)
        {
            context.Error(path, "HTTP fault injection must have an abort and/or a delay");
        }

        if (fault.Delay is { } delay)
        {
            if (IstioRules.Percentage(delay.Percentage) is { } percentError)
            {
                context.Error($"{path}.delay.percentage.value", percentError);
            }

            if (IstioRules.Percent(delay.Percent) is { } legacyError)
            {
                context.Error($"{path}.delay.percent", legacyError);
            }

            // A delay without fixedDelay is accepted and does nothing, as in Istio.
            if (delay.FixedDelay is { } fixedDelay && IstioRules.Duration(fixedDelay) is { } error)
            {
                context.Error($"{path}.delay.fixedDelay", error);
            }
        }

        if (fault.Abort is { } abort)
        {
            if (IstioRules.Percentage(abort.Percentage) is { } percentError)
            {
                context.Error($"{path}.abort.percentage.value", percentError);
            }

            var kinds = (abort.HttpStatus is not null ? 1 : 0) + (abort.GrpcStatus is not null ? 1 : 0) + (abort.Http2Error is not null ? 1 : 0);
            if (kinds > 1)
            {
                context.Error($"{path}.abort", "only one of httpStatus, grpcStatus or http2Error may be set");
            }

            if (abort.HttpStatus is { } status && status is < 200 or > 599)
            {
                context.Error($"{path}.abort.httpStatus", $"HTTP status {status} is not in range 200-599");
            }

            if (abort.GrpcStatus == "OK")
            {
                context.Error($"{path}.abort.grpcStatus", "gRPC status OK is not supported: the proxy aborts with an error status");
            }
            else if (abort.GrpcStatus is { } grpc && !GrpcStatuses.Contains(grpc))
            {
                context.Error($"{path}.abort.grpcStatus", $"gRPC status \"{grpc}\" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'");
            }

        }
    }

    private static void ValidateCors(CorsPolicy? cors, string path, ValidationContext context)
    {
        if (cors is null)
        {
            return;
        }

        for (var i = 0; i < cors.AllowOrigins.Count; i++)
        {
            var origin = cors.AllowOrigins[i];
            if (string.IsNullOrEmpty(origin.Exact ?? origin.Prefix ?? origin.Regex))
            {
                context.Error($"{path}.allowOrigins[{i}]", "'' is not a valid match type for CORS allow origins");
            }

            IstioRules.StringMatch(origin, $"{path}.allowOrigins[{i}]", context);
        }

        for (var i = 0; i < cors.AllowMethods.Count; i++)
        {
            if (!CorsMethods.Contains(cors.AllowMethods[i]))
            {
                context.Error($"{path}.allowMethods[{i}]", $"\"{cors.AllowMethods[i]}\" is not a supported HTTP method");
            }
        }

        foreach (var (field, names) in new[] { ("allowHeaders", cors.AllowHeaders), ("exposeHeaders", cors.ExposeHeaders) })
        {
            for (var i = 0; i < names.Count; i++)
            {
                if (names[i] != "*" && IstioRules.MatchHeaderName(names[i]) is { } error)
                {
                    context.Error($"{path}.{field}[{i}]", error);
                }
            }
        }

        if (cors.MaxAge is { } maxAge)
        {
            if (IstioRules.Duration(maxAge) is { } error)
            {
                context.Error($"{path}.maxAge", error);
            }
            else if (maxAge.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                context.Error($"{path}.maxAge", "max_age duration is accurate only to seconds precision");
            }
        }
    }

    // Istio's host.Name.Matches: equal, or one wildcard covers the other.
    internal static bool HostMatches(string a, string b) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase)
        || (a.StartsWith('*') && b.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase))
        || (b.StartsWith('*') && a.EndsWith(b[1..], StringComparison.OrdinalIgnoreCase));
}
