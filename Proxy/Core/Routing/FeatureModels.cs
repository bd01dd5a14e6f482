using System.Runtime.CompilerServices;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// The immutable per-snapshot models features attach to a Core model object (the snapshot's
/// <see cref="RoutingModel"/>, an <see cref="UpstreamCluster"/>, an <see cref="HttpRouteModel"/>),
/// one per model type: Core routes with them without knowing them, and a request reads its
/// feature's model of exactly the snapshot it is routed with. A lookup is an array index.
/// </summary>
public sealed class FeatureModels
{
    private readonly object?[] _models;

    private FeatureModels(object?[] models)
    {
        _models = models;
    }

    public static FeatureModels Empty { get; } = new([]);

    /// <summary>The attached model of type <typeparamref name="T"/>, or null when the feature attached none.</summary>
    public T? Get<T>()
        where T : class
    {
        var models = _models;
        var index = Slot<T>.Index;

        // Only Builder.Set<T> writes slot T, so the cast cannot fail.
        return (uint)index < (uint)models.Length ? Unsafe.As<T>(models[index]) : null;
    }

    /// <summary>Collects the models of one Core object during translation.</summary>
    public sealed class Builder
    {
        private object?[] _models = [];

        public bool IsEmpty => _models.Length == 0;

        /// <summary>Attaches <paramref name="model"/>; a second model of the same type replaces the first.</summary>
        public void Set<T>(T model)
            where T : class
        {
            ArgumentNullException.ThrowIfNull(model);
            var index = Slot<T>.Index;
            if (index >= _models.Length)
            {
                Array.Resize(ref _models, index + 1);
            }

            _models[index] = model;
        }

        public FeatureModels Build() => _models.Length == 0 ? Empty : new FeatureModels((object?[])_models.Clone());
    }

    /// <summary>One index per model type, assigned on first use.</summary>
    private static class Slot<T>
    {
        public static readonly int Index = Interlocked.Increment(ref _nextIndex) - 1;
    }

    private static int _nextIndex;
}
