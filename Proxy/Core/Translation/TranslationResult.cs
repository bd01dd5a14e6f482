using Mesh.Proxy.Core.Routing;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Core.Translation;

/// <summary>The outcome of translating one snapshot: a routing model plus YARP clusters, or the errors.</summary>
internal sealed class TranslationResult
{
    private TranslationResult(RoutingModel? model, IReadOnlyList<ClusterConfig> clusters, TranslationErrors errors)
    {
        Model = model;
        YarpClusters = clusters;
        Errors = errors;
    }

    /// <summary>The model, its clusters not yet bound to YARP state. Null when the snapshot was rejected.</summary>
    public RoutingModel? Model { get; }

    public IReadOnlyList<ClusterConfig> YarpClusters { get; }

    public TranslationErrors Errors { get; }

    public bool Succeeded => Model is not null;

    internal static TranslationResult Success(RoutingModel model, IReadOnlyList<ClusterConfig> clusters)
        => new(model, clusters, new TranslationErrors());

    internal static TranslationResult Failure(TranslationErrors errors)
        => new(null, [], errors);
}
