using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Translation;

/// <summary>One snapshot route while it is translated: features add its filters and models.</summary>
public sealed class RouteTranslation
{
    private readonly FeatureModels.Builder _models = new();
    private readonly List<(ProxyStage Stage, IRouteFilter Filter)> _filters = [];

    internal RouteTranslation(Route source, string path, TranslationErrors errors, IReadOnlyDictionary<string, UpstreamCluster> clusters, RouteActionModel? action)
    {
        Source = source;
        Path = path;
        Errors = errors;
        Clusters = clusters;
        Action = action;
    }

    public Route Source { get; }

    /// <summary>The error path of the route, e.g. "virtual_hosts[0] (reviews...).routes[1] (jason)".</summary>
    public string Path { get; }

    public TranslationErrors Errors { get; }

    /// <summary>The snapshot's clusters by name.</summary>
    public IReadOnlyDictionary<string, UpstreamCluster> Clusters { get; }

    /// <summary>Where the route forwards (null for routes that answer themselves, or when the action had errors).</summary>
    public RouteActionModel? Action { get; }

    /// <summary>A filter of this route at a route-filter stage; the route runs its filters in stage order.</summary>
    public void AddFilter(ProxyStage stage, IRouteFilter filter)
    {
        ProxyPipeline.EnsureKind(stage, ProxyStageKind.RouteFilter);
        ArgumentNullException.ThrowIfNull(filter);
        _filters.Add((stage, filter));
    }

    /// <summary>Attaches a feature's compiled model to the route (read per request with <c>HttpRouteModel.FeatureModels</c>).</summary>
    public void SetModel<T>(T model)
        where T : class => _models.Set(model);

    internal FeatureModels BuildModels() => _models.Build();

    /// <summary>The filters ordered by stage (a stable sort: registration order within a stage).</summary>
    internal IRouteFilter[] BuildFilters() => [.. _filters.OrderBy(f => f.Stage).Select(f => f.Filter)];
}
