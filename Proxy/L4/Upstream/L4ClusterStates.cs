using System.Collections.Concurrent;
using Mesh.Proxy.L4.Model;

namespace Mesh.Proxy.L4.Upstream;

/// <summary>The clusters' live states by name, shared by every snapshot that has the cluster.</summary>
internal sealed class L4ClusterStates
{
    private readonly ConcurrentDictionary<string, L4ClusterState> _states = new(StringComparer.Ordinal);

    public L4ClusterState Get(string name) => _states.GetOrAdd(name, n => new L4ClusterState(n));

    public IEnumerable<L4ClusterState> All => _states.Values.OrderBy(s => s.Name, StringComparer.Ordinal);

    /// <summary>Forgets clusters the applied snapshot no longer has once nothing is connected through them.</summary>
    public void Retain(IReadOnlySet<string> names)
    {
        foreach (var (name, state) in _states)
        {
            if (!names.Contains(name) && state.Active == 0)
            {
                _states.TryRemove(name, out _);
            }
        }
    }
}
