using Google.Protobuf.WellKnownTypes;
using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Builds the snapshot routes of VirtualService HTTP rules for one proxy: drops match blocks
/// whose sourceLabels / sourceNamespace / gateways do not apply to it (and rules left without
/// a match), resolves destination hosts relative to the VirtualService's namespace, and fills
/// Istio's defaults (retries, fault and mirror percentages, redirect code).
/// </summary>
internal static class RouteSnapshotBuilder
{
    /// <summary>Istio's default retry policy when a rule has no <c>retries</c>.</summary>
    public static Wire.RetryPolicy DefaultRetryPolicy()
    {
        var policy = new Wire.RetryPolicy { Attempts = 2 };
        policy.RetryOn.AddRange(["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"]);
        policy.RetriableStatusCodes.Add(503);
        return policy;
    }

    /// <summary>The routes of one VirtualService that apply to the proxy, in order.</summary>
    public static IEnumerable<Wire.Route> Build(ConfigResource<VirtualServiceConfig> virtualService, RouteContext context)
    {
        var http = virtualService.Spec.Http;
        for (var i = 0; i < http.Count; i++)
        {
            var rule = http[i];
            var matches = rule.Match.Where(m => MatchApplies(m, virtualService.Namespace, context)).ToList();
            if (rule.Match.Count > 0 && matches.Count == 0)
            {
                continue; // every match block was for other workloads or gateways
            }

            yield return Build(virtualService, rule, i, matches, context);
        }
    }

    /// <summary>The route used when no VirtualService covers a service port: all endpoints, Istio's default retries.</summary>
    public static Wire.Route DefaultRoute(string hostname, uint port)
    {
        var action = new Wire.RouteAction { Retries = DefaultRetryPolicy() };
        action.Clusters.Add(new Wire.WeightedCluster { Cluster = HostNames.ClusterName(port, null, hostname), Weight = 100 });
        return new Wire.Route { Name = "default", Route_ = action };
    }

    private static bool MatchApplies(HttpMatchRequest match, string vsNamespace, RouteContext context)
    {
        if (!match.SourceLabels.All(l => context.Node.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
        {
            return false;
        }

        if (match.SourceNamespace is { } ns && ns != context.NodeNamespace)
        {
            return false;
        }

        return match.Gateways.Count == 0 || context.IsBoundTo(match.Gateways, vsNamespace);
    }

    private static Wire.Route Build(ConfigResource<VirtualServiceConfig> virtualService, HttpRoute rule, int index, List<HttpMatchRequest> matches, RouteContext context)
    {
        var ns = virtualService.Namespace;
        var route = new Wire.Route
        {
            Name = rule.Name ?? $"{virtualService.QualifiedName}#{index}",
            VirtualService = virtualService.QualifiedName,
        };
        var routeMatches = matches.Select(ToRouteMatch).ToList();
        // A block left with no request condition (only sourceLabels etc., decided here) matches every request.
        if (!routeMatches.Any(IsMatchAll))
        {
            route.Matches.AddRange(routeMatches);
        }
        if (rule.Redirect is { } redirect)
        {
            route.Redirect = new Wire.Redirect
            {
                Uri = redirect.Uri ?? "",
                Authority = redirect.Authority ?? "",
                Port = redirect.Port ?? 0,
                DerivePortFromRequest = redirect.DerivePort == RedirectPortSelection.FromRequestPort,
                Scheme = redirect.Scheme ?? "",
                Code = redirect.RedirectCode ?? 301,
            };
        }
        else if (rule.DirectResponse is { } direct)
        {
            route.DirectResponse = new Wire.DirectResponse
            {
                Status = direct.Status ?? 200,
                Body = direct.Body?.String ?? (direct.Body?.Bytes is { } bytes ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(bytes)) : ""),
            };
        }
        else
        {
            route.Route_ = RouteAction(rule, ns, context);
        }

        if (rule.Fault is { } fault)
        {
            route.Fault = Fault(fault);
        }

        if (rule.Mirror is { } mirror)
        {
            var percentage = rule.MirrorPercentage?.Value ?? (rule.MirrorPercent is { } legacy ? legacy : 100);
            route.Mirrors.Add(new Wire.Mirror { Cluster = Reference(mirror, ns, context), Percentage = percentage });
        }

        foreach (var policy in rule.Mirrors)
        {
            route.Mirrors.Add(new Wire.Mirror { Cluster = Reference(policy.Destination!, ns, context), Percentage = policy.Percentage?.Value ?? 100 });
        }

        route.RequestHeaders = HeaderOperations(rule.Headers?.Request);
        route.ResponseHeaders = HeaderOperations(rule.Headers?.Response);
        if (rule.CorsPolicy is { } cors)
        {
            route.Cors = Cors(cors);
        }

        return route;
    }

    private static Wire.RouteAction RouteAction(HttpRoute rule, string ns, RouteContext context)
    {
        var action = new Wire.RouteAction
        {
            Retries = Retries(rule.Retries),
        };
        if (rule.Timeout is { } timeout)
        {
            action.Timeout = Duration.FromTimeSpan(timeout);
        }

        var weights = Normalize(rule.Route.Select(d => d.Weight ?? 0).ToList());
        for (var i = 0; i < rule.Route.Count; i++)
        {
            var destination = rule.Route[i];
            action.Clusters.Add(new Wire.WeightedCluster
            {
                Cluster = Reference(destination.Destination!, ns, context),
                Weight = weights[i],
                RequestHeaders = HeaderOperations(destination.Headers?.Request),
                ResponseHeaders = HeaderOperations(destination.Headers?.Response),
            });
        }

        if (rule.Rewrite is { } rewrite)
        {
            action.Rewrite = new Wire.Rewrite { Uri = rewrite.Uri ?? "", Authority = rewrite.Authority ?? "" };
            if (rewrite.UriRegexRewrite is { } regex)
            {
                action.Rewrite.UriRegex = new Wire.RegexRewrite { Match = regex.Match ?? "", Rewrite = regex.Rewrite ?? "" };
            }
        }

        return action;
    }

    /// <summary>Istio weights are relative; the snapshot carries percentages that sum to exactly 100.</summary>
    internal static uint[] Normalize(IReadOnlyList<int> weights)
    {
        if (weights.Count == 1)
        {
            return [100];
        }

        var total = weights.Sum(w => (long)Math.Max(0, w));
        if (total == 0)
        {
            return [.. weights.Select(_ => 0u)];
        }

        var shares = weights.Select(w => Math.Max(0, w) * 100.0 / total).ToArray();
        var result = shares.Select(s => (uint)Math.Floor(s)).ToArray();
        var remainder = 100 - (int)result.Sum(r => r);
        // Largest remainder first, ties by position, so the rounding is stable.
        foreach (var i in Enumerable.Range(0, shares.Length).OrderByDescending(i => shares[i] - Math.Floor(shares[i])).ThenBy(i => i).Take(remainder))
        {
            result[i]++;
        }

        return result;
    }

    /// <summary>The cluster a destination names (port defaulted as Istio does), recorded as referenced.</summary>
    internal static string Reference(Destination destination, string ns, RouteContext context)
    {
        var hostname = HostNames.Resolve(destination.Host ?? "", ns, context.Settings.DomainSuffix);
        var service = context.Services.Find(hostname);
        var port = destination.Port?.Number
            ?? (service is { Ports.Length: 1 } ? service.Ports[0].Number
            : service?.FindPort(context.Port) is not null ? context.Port
            : service is { Ports.Length: > 0 } ? service.Ports[0].Number
            : context.Port);
        var subset = string.IsNullOrEmpty(destination.Subset) ? null : destination.Subset;
        context.ReferencedClusters.Add((hostname, port, subset ?? ""));
        return HostNames.ClusterName(port, subset, hostname);
    }

    private static Wire.RetryPolicy? Retries(HttpRetry? retries)
    {
        if (retries is null)
        {
            return DefaultRetryPolicy();
        }

        if ((retries.Attempts ?? 0) <= 0)
        {
            return null;
        }

        var policy = new Wire.RetryPolicy
        {
            Attempts = (uint)retries.Attempts!.Value,
            RetryRemoteLocalities = retries.RetryRemoteLocalities ?? false,
        };
        if (retries.PerTryTimeout is { } perTry)
        {
            policy.PerTryTimeout = Duration.FromTimeSpan(perTry);
        }

        if (string.IsNullOrEmpty(retries.RetryOn))
        {
            var defaults = DefaultRetryPolicy();
            policy.RetryOn.AddRange(defaults.RetryOn);
            policy.RetriableStatusCodes.AddRange(defaults.RetriableStatusCodes);
            return policy;
        }

        foreach (var part in retries.RetryOn.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (uint.TryParse(part, out var status))
            {
                policy.RetriableStatusCodes.Add(status);
            }
            else if (!policy.RetryOn.Contains(part))
            {
                policy.RetryOn.Add(part);
            }
        }

        if (policy.RetriableStatusCodes.Count > 0 && !policy.RetryOn.Contains("retriable-status-codes"))
        {
            policy.RetryOn.Add("retriable-status-codes");
        }

        return policy;
    }

    private static Wire.Fault Fault(HttpFaultInjection fault)
    {
        var result = new Wire.Fault();
        if (fault.Delay is { FixedDelay: { } delay } delayFault)
        {
            result.Delay = new Wire.DelayFault
            {
                FixedDelay = Duration.FromTimeSpan(delay),
                Percentage = delayFault.Percentage?.Value ?? (delayFault.Percent is { } legacy ? legacy : 100),
            };
        }

        // An abort without an error type does nothing, as in Istio (which only warns about it).
        if (fault.Abort is { } abort && (abort.HttpStatus is not null || abort.GrpcStatus is not null))
        {
            result.Abort = new Wire.AbortFault { Percentage = abort.Percentage?.Value ?? 100 };
            if (abort.HttpStatus is { } status)
            {
                result.Abort.HttpStatus = (uint)status;
            }
            else if (abort.GrpcStatus is { } grpc)
            {
                result.Abort.GrpcStatus = grpc;
            }
        }

        return result;
    }

    private static Wire.RouteMatch ToRouteMatch(HttpMatchRequest match)
    {
        var result = new Wire.RouteMatch
        {
            Name = match.Name ?? "",
            Uri = ToStringMatch(match.Uri),
            Scheme = ToStringMatch(match.Scheme),
            Method = ToStringMatch(match.Method),
            Authority = ToStringMatch(match.Authority),
            Port = match.Port ?? 0,
            IgnoreUriCase = match.IgnoreUriCase ?? false,
        };
        foreach (var (name, value) in match.Headers.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            result.Headers[name.ToLowerInvariant()] = ToStringMatch(value);
        }

        foreach (var (name, value) in match.QueryParams.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            result.QueryParams[name] = ToStringMatch(value);
        }

        foreach (var (name, value) in match.WithoutHeaders.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            // `{}` means the header must be absent; a value means it must not match.
            if (value.Exact is null && value.Prefix is null && value.Regex is null)
            {
                result.WithoutHeaders.Add(name.ToLowerInvariant());
            }
            else
            {
                result.WithoutHeaderMatches[name.ToLowerInvariant()] = ToStringMatch(value);
            }
        }

        return result;
    }

    private static bool IsMatchAll(Wire.RouteMatch match) =>
        match.Uri is null && match.Scheme is null && match.Method is null && match.Authority is null && match.Port == 0
        && match.Headers.Count == 0 && match.QueryParams.Count == 0 && match.WithoutHeaders.Count == 0 && match.WithoutHeaderMatches.Count == 0;

    internal static Wire.StringMatch? ToStringMatch(StringMatch? match)
    {
        if (match is null)
        {
            return null;
        }

        var result = new Wire.StringMatch();
        if (match.Exact is not null)
        {
            result.Exact = match.Exact;
        }
        else if (match.Prefix is not null)
        {
            result.Prefix = match.Prefix;
        }
        else if (match.Regex is not null)
        {
            result.Regex = match.Regex;
        }
        else
        {
            result.Present = true;
        }

        return result;
    }

    private static Wire.HeaderOperations? HeaderOperations(HeaderOperations? operations)
    {
        if (operations is null)
        {
            return null;
        }

        // Istio values use Envoy's header syntax, where %% is a literal %; the proxy sets values
        // literally, so the escape is resolved here (validation refuses %VARIABLE% forms).
        var result = new Wire.HeaderOperations();
        foreach (var (name, value) in operations.Set)
        {
            result.Set[name.ToLowerInvariant()] = value.Replace("%%", "%", StringComparison.Ordinal);
        }

        foreach (var (name, value) in operations.Add)
        {
            result.Add[name.ToLowerInvariant()] = value.Replace("%%", "%", StringComparison.Ordinal);
        }

        result.Remove.AddRange(operations.Remove.Select(r => r.ToLowerInvariant()));
        return result;
    }

    private static Wire.CorsPolicy Cors(CorsPolicy cors)
    {
        var result = new Wire.CorsPolicy
        {
            AllowCredentials = cors.AllowCredentials ?? false,
            HasAllowCredentials = cors.AllowCredentials is not null,
            UnmatchedPreflights = cors.UnmatchedPreflights switch
            {
                UnmatchedPreflights.Ignore => "IGNORE",
                _ => "FORWARD",
            },
        };
        result.AllowOrigins.AddRange(cors.AllowOrigins.Select(o => ToStringMatch(o)!));
        result.AllowOrigins.AddRange(cors.AllowOrigin.Select(o => new Wire.StringMatch { Exact = o }));
        result.AllowMethods.AddRange(cors.AllowMethods);
        result.AllowHeaders.AddRange(cors.AllowHeaders);
        result.ExposeHeaders.AddRange(cors.ExposeHeaders);
        if (cors.MaxAge is { } maxAge)
        {
            result.MaxAge = Duration.FromTimeSpan(maxAge);
        }

        return result;
    }
}
