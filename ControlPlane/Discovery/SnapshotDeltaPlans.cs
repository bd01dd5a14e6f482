using System.Collections.Concurrent;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Delta plans by (held version, target version, config generation): the proxies of a shape that
/// hold the same snapshot make the same move, so a change costs one delta computation and one
/// encoding per (shape, held version), not one per proxy. Bounded by bytes: when the plans kept
/// exceed <see cref="RetainedBytes"/> they are all dropped (plans are cheap to recompute, and a
/// push round needs only the newest targets).
/// </summary>
internal sealed class SnapshotDeltaPlans
{
    internal const long RetainedBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<(string Base, string Target, long Generation), Lazy<SnapshotDeltaPlan>> _plans = new();
    private long _bytes;
    private long _computed;

    /// <summary>Plans computed (diagnostics and tests).</summary>
    public long Computed => Interlocked.Read(ref _computed);

    public SnapshotDeltaPlan Get(ResourceView held, EncodedSnapshot target, long configGeneration)
    {
        var computed = false;
        var plan = _plans.GetOrAdd((held.Version, target.Version, configGeneration), _ => new Lazy<SnapshotDeltaPlan>(() =>
        {
            computed = true;
            Interlocked.Increment(ref _computed);
            return SnapshotDeltaPlan.Compute(held, target, configGeneration);
        })).Value;
        if (computed && Interlocked.Add(ref _bytes, plan.Body.Length) > RetainedBytes)
        {
            _plans.Clear();
            Interlocked.Exchange(ref _bytes, 0);
        }

        return plan;
    }
}
