using System.Collections.Concurrent;

namespace Mesh.Proxy.Traffic;

/// <summary>
/// Live traffic state per cluster name, handed to each snapshot's models at translation. State
/// of clusters a successful translation no longer has is dropped (requests still holding it
/// finish with it).
/// </summary>
internal sealed class TrafficStateRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, ClusterTrafficState> _clusters = new(StringComparer.Ordinal);

    public ClusterTrafficState For(string clusterName) => _clusters.GetOrAdd(clusterName, static name => new ClusterTrafficState(name));

    public int Count => _clusters.Count;

    /// <summary>Forgets the state of clusters not in <paramref name="clusterNames"/>.</summary>
    public void RetainOnly(IReadOnlySet<string> clusterNames)
    {
        foreach (var name in _clusters.Keys)
        {
            if (!clusterNames.Contains(name) && _clusters.TryRemove(name, out var state))
            {
                state.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var state in _clusters.Values)
        {
            state.Dispose();
        }

        _clusters.Clear();
    }
}
