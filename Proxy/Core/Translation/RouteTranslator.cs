using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Compiles one snapshot route: matches, weighted split, timeout and retry policy (Core's), then
/// the features' parts (<see cref="FeatureTranslation.TranslateRoute"/>) and the filters of
/// <see cref="IRouteFilterFactory"/> registrations, ordered by pipeline stage.
/// </summary>
internal sealed class RouteTranslator
{
    private readonly IReadOnlyDictionary<string, UpstreamCluster> _clusters;
    private readonly IReadOnlyList<IRouteFilterFactory> _filterFactories;
    private readonly IReadOnlyList<FeatureTranslation> _features;

    public RouteTranslator(IReadOnlyDictionary<string, UpstreamCluster> clusters, IReadOnlyList<IRouteFilterFactory> filterFactories, IReadOnlyList<FeatureTranslation> features)
    {
        _clusters = clusters;
        _filterFactories = filterFactories;
        _features = features;
    }

    public HttpRouteModel? Translate(Route route, string path, TranslationErrors errors)
    {
        var before = errors.Count;
        var matches = new RouteMatchModel[route.Matches.Count];
        for (var i = 0; i < route.Matches.Count; i++)
        {
            matches[i] = MatchTranslator.Translate(route.Matches[i], $"{path}.matches[{i}]", errors)!;
        }

        if (route.ActionCase == Route.ActionOneofCase.None)
        {
            errors.Add(path, "route has no action");
            return null;
        }

        // Redirect and direct response routes answer through their reply filter and forward nothing.
        var action = route.ActionCase == Route.ActionOneofCase.Route_ ? TranslateAction(route.Route_, $"{path}.route", errors) : null;
        var translation = new RouteTranslation(route, path, errors, _clusters, action);
        foreach (var feature in _features)
        {
            feature.TranslateRoute(translation);
        }

        AddExtensionFilters(translation);
        if ((action is null && route.ActionCase == Route.ActionOneofCase.Route_) || errors.Count != before)
        {
            return null;
        }

        var name = string.IsNullOrEmpty(route.Name) ? path : route.Name;
        return new HttpRouteModel(name, matches, action)
        {
            VirtualService = string.IsNullOrEmpty(route.VirtualService) ? null : route.VirtualService,
            Filters = translation.BuildFilters(),
            FeatureModels = translation.BuildModels(),
        };
    }

    private RouteActionModel? TranslateAction(RouteAction action, string path, TranslationErrors errors)
    {
        var before = errors.Count;
        var entries = new List<(UpstreamCluster, int)>();
        for (var i = 0; i < action.Clusters.Count; i++)
        {
            var weighted = action.Clusters[i];
            if (!_clusters.TryGetValue(weighted.Cluster, out var cluster))
            {
                errors.Add($"{path}.clusters[{i}]", $"references unknown cluster '{weighted.Cluster}'");
                continue;
            }

            if (!ClusterConventions.IsHttpRoutable(cluster.Protocol) && !cluster.IsPassthrough)
            {
                errors.Add($"{path}.clusters[{i}]", $"cluster '{weighted.Cluster}' speaks {cluster.Protocol}; HTTP routes cannot use it");
                continue;
            }

            entries.Add((cluster, checked((int)weighted.Weight)));
        }

        if (action.Clusters.Count == 0)
        {
            errors.Add($"{path}.clusters", "a route action needs at least one cluster");
        }
        else if (errors.Count == before && entries.Sum(e => (long)e.Item2) == 0)
        {
            errors.Add($"{path}.clusters", "weights sum to 0");
        }

        var timeout = ReadDuration(action.Timeout, $"{path}.timeout", errors);
        var retry = TranslateRetry(action.Retries, $"{path}.retries", errors);
        if (errors.Count != before)
        {
            return null;
        }

        return new RouteActionModel(new WeightedClusterTable(entries))
        {
            Timeout = timeout,
            Retry = retry,
        };
    }

    private static RetryPolicyModel? TranslateRetry(RetryPolicy? policy, string path, TranslationErrors errors)
    {
        if (policy is null || policy.Attempts == 0)
        {
            return null; // Istio: attempts 0 disables retries
        }

        var before = errors.Count;
        var retryOn = RetryOn.None;
        var codes = new List<int>();
        foreach (var entry in policy.RetryOn)
        {
            foreach (var raw in entry.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (RetryOnNames.TryParse(raw, out var condition))
                {
                    retryOn |= condition;
                }
                else if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
                {
                    // Istio accepts status codes in retryOn; they mean retriable-status-codes.
                    retryOn |= RetryOn.RetriableStatusCodes;
                    codes.Add(code);
                }
                else
                {
                    errors.Add($"{path}.retry_on", $"unsupported retry condition '{raw}'");
                }
            }
        }

        foreach (var code in policy.RetriableStatusCodes)
        {
            if (code is < 100 or > 599)
            {
                errors.Add($"{path}.retriable_status_codes", $"{code} is not an HTTP status code");
            }
            else
            {
                codes.Add((int)code);
            }
        }

        var perTry = ReadDuration(policy.PerTryTimeout, $"{path}.per_try_timeout", errors);
        if (policy.Attempts > 100)
        {
            errors.Add($"{path}.attempts", $"{policy.Attempts} retries is unreasonable (at most 100)");
        }

        return errors.Count == before ? new RetryPolicyModel((int)policy.Attempts, perTry, retryOn, codes) : null;
    }

    private void AddExtensionFilters(RouteTranslation route)
    {
        foreach (var factory in _filterFactories)
        {
            try
            {
                if (factory.Create(route.Source) is { } filter)
                {
                    route.AddFilter(ProxyStage.RouteExtensions, filter);
                }
            }
            catch (ArgumentException ex)
            {
                route.Errors.Add(route.Path, ex.Message);
            }
        }
    }

    private static TimeSpan ReadDuration(Google.Protobuf.WellKnownTypes.Duration? duration, string path, TranslationErrors errors)
    {
        if (duration is null)
        {
            return TimeSpan.Zero;
        }

        if (duration.Seconds < 0 || duration.Nanos < 0)
        {
            errors.Add(path, "must not be negative");
            return TimeSpan.Zero;
        }

        return duration.ToTimeSpan();
    }
}
