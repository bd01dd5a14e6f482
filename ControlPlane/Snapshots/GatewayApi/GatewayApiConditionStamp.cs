using System.Collections.Concurrent;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The bookkeeping of status conditions: the generation of the object a status describes, and when
/// each condition last changed its status (<c>lastTransitionTime</c>), remembered across builds.
/// </summary>
internal sealed class GatewayApiConditionStamp(TimeProvider time, Func<ConfigObject, long> generationOf)
{
    private readonly ConcurrentDictionary<(string Key, string Scope, string Type), (bool Status, DateTimeOffset Since)> _transitions = new();

    public long GenerationOf(ConfigObject configObject) => generationOf(configObject);

    public DateTimeOffset Since(string key, string scope, GatewayApiCondition condition)
    {
        var now = time.GetUtcNow();
        var entry = _transitions.AddOrUpdate((key, scope, condition.Type), (condition.Status, now),
            (_, previous) => previous.Status == condition.Status ? previous : (condition.Status, now));
        return entry.Since;
    }
}
