using System.Collections.Concurrent;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Caches snapshot builds by (model generation, registry version, node shape) so that N proxies
/// of one shape cost one build per change. Only the most recent input sets are kept: older ones
/// can never be asked for again once a push round has moved past them. A set built from a newer
/// model drops every set of an older model at once (the store only moves forward): each set holds
/// its model and every shape's snapshot and serialized bytes, so keeping the sets of a replaced
/// large configuration kept all of that alive after the configuration was removed.
/// </summary>
internal sealed class SnapshotCache
{
    private const int RetainedInputSets = 3;

    private readonly IProxySnapshotBuilder _builder;
    private readonly Lock _gate = new();
    private readonly LinkedList<SnapshotBuildSet> _recent = new();
    private long _builds;

    public SnapshotCache(IProxySnapshotBuilder builder) => _builder = builder;

    /// <summary>How many snapshots were actually built (diagnostics and tests).</summary>
    public long BuildCount => Interlocked.Read(ref _builds);

    /// <summary>The build set for these inputs, created on first use.</summary>
    public SnapshotBuildSet For(SnapshotInputs inputs)
    {
        lock (_gate)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Matches(inputs))
                {
                    if (node != _recent.First)
                    {
                        _recent.Remove(node);
                        _recent.AddFirst(node);
                    }

                    return node.Value;
                }
            }

            // The newest set's memo carries its routes and cluster definitions over to these inputs
            // when only endpoints changed (SnapshotMemo): endpoint churn does not rebuild routes.
            if (_recent.First is { } newest)
            {
                inputs.ContinueFrom(newest.Value.Inputs);
            }

            var set = new SnapshotBuildSet(inputs, this);
            for (var node = _recent.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Inputs.Model.Generation < inputs.Model.Generation)
                {
                    _recent.Remove(node);
                }

                node = next;
            }

            _recent.AddFirst(set);
            while (_recent.Count > RetainedInputSets)
            {
                _recent.RemoveLast();
            }

            return set;
        }
    }

    internal ProxySnapshot Build(SnapshotInputs inputs, Node shape)
    {
        Interlocked.Increment(ref _builds);
        return _builder.Build(inputs, shape);
    }
}

/// <summary>The builds for one set of inputs, one per node shape.</summary>
internal sealed class SnapshotBuildSet
{
    private readonly ConcurrentDictionary<string, Lazy<SharedSnapshot>> _byShape = new(StringComparer.Ordinal);
    private readonly SnapshotCache _cache;

    internal SnapshotBuildSet(SnapshotInputs inputs, SnapshotCache cache)
    {
        Inputs = inputs;
        _cache = cache;
    }

    public SnapshotInputs Inputs { get; }

    internal bool Matches(SnapshotInputs inputs) =>
        inputs.Model.Generation == Inputs.Model.Generation
        && inputs.Registry.Version == Inputs.Registry.Version
        && ReferenceEquals(inputs.Settings, Inputs.Settings);

    /// <summary>
    /// The shared snapshot for a shape (its node is the shape, without an id); a build that
    /// throws throws for every proxy of that shape until the inputs change.
    /// </summary>
    public SharedSnapshot Get(string shapeKey, Node shape) =>
        _byShape.GetOrAdd(shapeKey, static (_, state) => new Lazy<SharedSnapshot>(
            () => new SharedSnapshot(state.Cache.Build(state.Inputs, state.Shape))), (Cache: _cache, Inputs, Shape: shape)).Value;
}
