using Google.Protobuf.WellKnownTypes;
using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Converts the rules of an HTTPRoute or GRPCRoute into snapshot routes, one per match (each rule
/// may have several; they become separate routes so the spec's precedence can order them among
/// other routes of the same hostname). A rule whose values the mesh cannot honour is dropped and
/// named (PartiallyInvalid); an ExtensionRef filter the mesh does not know makes its rule answer
/// 500, as the spec requires of unresolvable filters; backends resolve through <see cref="RouteBackends"/>.
/// </summary>
internal static class GatewayRouteConverter
{
    public static RouteConversion Http(ConfigResource<HttpRouteConfig> route, RouteBackends backends)
    {
        var origin = $"HTTPRoute/{route.QualifiedName}";
        var converted = new List<ConvertedRoute>();
        var problems = new List<GatewayApiProblem>();
        var dropped = new List<string>();
        for (var i = 0; i < route.Spec.Rules.Count; i++)
        {
            var rule = route.Spec.Rules[i];
            var name = rule.Name ?? $"{route.Namespace}.{route.Name}.{i}";
            var state = new RuleState(name, origin, backends, problems);
            var unsupported = rule.SessionPersistence is not null ? "sessionPersistence is not supported"
                : rule.Retry?.Backoff is not null ? "retry.backoff is not supported"
                : Unsupported(rule.Filters);
            if (unsupported is null && (rule.Matches.Count > 0 ? rule.Matches.Cast<HttpRouteMatch?>() : [null]).Select(RouteMatchBuilder.Http).ToList() is var matches
                && matches.FirstOrDefault(m => m.Problem is not null).Problem is { } matchProblem)
            {
                unsupported = matchProblem;
            }

            var template = unsupported is null ? HttpTemplate(rule, state, out unsupported) : null;
            if (unsupported is not null || template is null)
            {
                dropped.Add($"Dropped Rule {i}: {unsupported}");
                continue;
            }

            foreach (var (match, precedence, _) in (rule.Matches.Count > 0 ? rule.Matches.Cast<HttpRouteMatch?>() : [null]).Select(RouteMatchBuilder.Http))
            {
                converted.Add(state.Route(template, match!, precedence));
            }
        }

        return new RouteConversion(converted, Combine(problems), dropped, route.Spec.Rules.Count);
    }

    public static RouteConversion Grpc(ConfigResource<GrpcRouteConfig> route, RouteBackends backends)
    {
        var origin = $"GRPCRoute/{route.QualifiedName}";
        var converted = new List<ConvertedRoute>();
        var problems = new List<GatewayApiProblem>();
        var dropped = new List<string>();
        for (var i = 0; i < route.Spec.Rules.Count; i++)
        {
            var rule = route.Spec.Rules[i];
            var state = new RuleState(rule.Name ?? $"{route.Namespace}.{route.Name}.{i}", origin, backends, problems);
            var matches = (rule.Matches.Count > 0 ? rule.Matches.Cast<GrpcRouteMatch?>() : [null]).Select(RouteMatchBuilder.Grpc).ToList();
            var unsupported = rule.SessionPersistence is not null ? "sessionPersistence is not supported"
                : Unsupported(rule.Filters) ?? matches.FirstOrDefault(m => m.Problem is not null).Problem;
            if (unsupported is not null)
            {
                dropped.Add($"Dropped Rule {i}: {unsupported}");
                continue;
            }

            var template = state.Template(rule.Filters);
            if (!state.AnswersLocally(template) && state.Action(rule.BackendRefs, template) is { } action)
            {
                template.Route_ = action;
            }

            foreach (var (match, precedence, _) in matches)
            {
                converted.Add(state.Route(template, match!, precedence));
            }
        }

        return new RouteConversion(converted, Combine(problems), dropped, route.Spec.Rules.Count);
    }

    private static Wire.Route? HttpTemplate(HttpRouteRule rule, RuleState state, out string? unsupported)
    {
        unsupported = null;
        var template = state.Template(rule.Filters);
        if (rule.Filters.FirstOrDefault(f => f.Type == RouteFilterType.RequestRedirect)?.RequestRedirect is { } redirectFilter)
        {
            var (redirect, problem) = RouteFilterBuilder.Redirect(redirectFilter);
            if (problem is not null)
            {
                unsupported = problem;
                return null;
            }

            template.Redirect = redirect;
            return template;
        }

        if (state.AnswersLocally(template))
        {
            return template;
        }

        var action = state.Action(rule.BackendRefs, template);
        if (action is null)
        {
            return template;
        }

        if (rule.Filters.FirstOrDefault(f => f.Type == RouteFilterType.UrlRewrite)?.UrlRewrite is { } rewrite)
        {
            var prefix = rule.Matches.Count == 1 ? rule.Matches[0].Path?.Value : null;
            action.Rewrite = RouteFilterBuilder.Rewrite(rewrite, prefix);
        }

        if (rule.Timeouts is { } timeouts)
        {
            // Istio's mapping: request is the route timeout; backendRequest the per-try timeout
            // with a retry stanza, else the route timeout.
            if (timeouts.Request is { } request && GatewayApiDurations.Parse(request) is { } requestTimeout && requestTimeout > TimeSpan.Zero)
            {
                action.Timeout = Duration.FromTimeSpan(requestTimeout);
            }

            if (timeouts.BackendRequest is { } backend && GatewayApiDurations.Parse(backend) is { } backendTimeout && backendTimeout > TimeSpan.Zero)
            {
                if (rule.Retry is not null && action.Retries is not null)
                {
                    action.Retries.PerTryTimeout = Duration.FromTimeSpan(backendTimeout);
                }
                else
                {
                    action.Timeout = Duration.FromTimeSpan(backendTimeout);
                }
            }
        }

        if (rule.Retry is { } retry)
        {
            action.Retries = Retries(retry, action.Retries?.PerTryTimeout);
        }

        template.Route_ = action;
        return template;
    }

    /// <summary>"Implementations SHOULD retry on connection errors if a retry stanza is configured": Istio's list plus the codes.</summary>
    private static Wire.RetryPolicy? Retries(HttpRouteRetry retry, Duration? perTry)
    {
        var attempts = retry.Attempts ?? 2;
        if (attempts <= 0)
        {
            return null;
        }

        var policy = new Wire.RetryPolicy { Attempts = (uint)attempts, PerTryTimeout = perTry };
        policy.RetryOn.AddRange(["connect-failure", "refused-stream", "unavailable", "cancelled"]);
        if (retry.Codes.Count > 0)
        {
            policy.RetryOn.Add("retriable-status-codes");
            policy.RetriableStatusCodes.AddRange(retry.Codes.Select(c => (uint)c));
        }

        return policy;
    }

    private static string? Unsupported(IReadOnlyList<HttpRouteFilter> filters) =>
        filters.Any(f => f.Type == RouteFilterType.ExternalAuth) ? "the ExternalAuth filter is not supported" : null;

    private static GatewayApiProblem? Combine(List<GatewayApiProblem> problems) =>
        problems.Count == 0 ? null : new(problems[0].Reason, string.Join("; ", problems.Select(p => p.Message).Distinct(StringComparer.Ordinal)));

    /// <summary>What building one rule shares: its name and origin, the backends, and where problems go.</summary>
    private sealed class RuleState(string name, string origin, RouteBackends backends, List<GatewayApiProblem> problems)
    {
        private readonly List<(string Host, uint Port)> _clusters = [];

        /// <summary>The route without action or match: headers, mirrors, CORS; an ExtensionRef answers 500.</summary>
        public Wire.Route Template(IReadOnlyList<HttpRouteFilter> filters)
        {
            var route = new Wire.Route { Name = name, VirtualService = origin };
            foreach (var filter in filters)
            {
                switch (filter.Type)
                {
                    case RouteFilterType.RequestHeaderModifier:
                        route.RequestHeaders = RouteFilterBuilder.HeaderOperations(filter.RequestHeaderModifier);
                        break;
                    case RouteFilterType.ResponseHeaderModifier:
                        route.ResponseHeaders = RouteFilterBuilder.HeaderOperations(filter.ResponseHeaderModifier);
                        break;
                    case RouteFilterType.Cors:
                        route.Cors = RouteFilterBuilder.Cors(filter.Cors!);
                        break;
                    case RouteFilterType.RequestMirror when filter.RequestMirror?.BackendRef is { } target:
                        var (cluster, problem) = backends.Resolve(target.Group, target.Kind, target.Name, target.Namespace, target.Port);
                        if (problem is not null)
                        {
                            problems.Add(problem);
                        }
                        else
                        {
                            _clusters.Add(cluster!.Value);
                            route.Mirrors.Add(new Wire.Mirror
                            {
                                Cluster = HostNames.ClusterName(cluster.Value.Port, null, cluster.Value.Host),
                                Percentage = RouteFilterBuilder.MirrorPercentage(filter.RequestMirror),
                            });
                        }

                        break;
                    case RouteFilterType.ExtensionRef when filter.ExtensionRef is { } extension:
                        problems.Add(new("InvalidKind", $"ExtensionRef filter {extension.Group}/{extension.Kind} \"{extension.Name}\" is not supported; requests matching rule {name} get 500"));
                        route.DirectResponse = new Wire.DirectResponse { Status = 500 };
                        break;
                }
            }

            return route;
        }

        public bool AnswersLocally(Wire.Route template) => template.DirectResponse is not null || template.Redirect is not null;

        /// <summary>The weighted backends, with Istio's default retries; null (and a 500 on the template) when none is usable.</summary>
        public Wire.RouteAction? Action(IReadOnlyList<HttpBackendRef> backendRefs, Wire.Route template)
        {
            var (clusters, references, found, anyValid) = backends.Weighted(backendRefs);
            problems.AddRange(found);
            if (!anyValid)
            {
                // The spec: a rule without a usable backend (none, all weights 0, all invalid) answers 500.
                template.DirectResponse = new Wire.DirectResponse { Status = 500 };
                return null;
            }

            _clusters.AddRange(references);
            var action = new Wire.RouteAction { Retries = RouteSnapshotBuilder.DefaultRetryPolicy() };
            action.Clusters.AddRange(clusters);
            return action;
        }

        public ConvertedRoute Route(Wire.Route template, Wire.RouteMatch match, RoutePrecedence precedence)
        {
            var route = template.Clone();
            if (!IsMatchAll(match))
            {
                route.Matches.Add(match);
            }

            return new ConvertedRoute(route, precedence, [.. _clusters]);
        }

        private static bool IsMatchAll(Wire.RouteMatch match) =>
            match.Uri is null or { Prefix: "/" } && match.Method is null && match.Headers.Count == 0 && match.QueryParams.Count == 0;
    }
}
