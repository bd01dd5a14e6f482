using System.Text.Json.Nodes;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The mesh custom resources currently on the API server, as the watches last reported them.
/// <see cref="Changed"/> fires when anything that affects configuration changes (a document or a
/// generation), not when only a status changes — status is recorded silently so the reconciler can
/// tell whether its own write already landed.
/// </summary>
internal sealed class CustomResourceCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CustomResourceObject> _objects = new(StringComparer.Ordinal);

    public event Action? Changed;

    public IReadOnlyList<CustomResourceObject> Snapshot()
    {
        lock (_gate)
        {
            return [.. _objects.Values.OrderBy(o => o.Origin, StringComparer.Ordinal)];
        }
    }

    /// <summary>A full list of one kind: replaces everything known of that kind.</summary>
    public void ReplaceKind(ConfigKind kind, IReadOnlyCollection<CustomResourceObject> objects)
    {
        bool changed;
        lock (_gate)
        {
            var stale = _objects.Values.Where(o => o.Kind == kind && !objects.Any(n => n.Origin == o.Origin)).Select(o => o.Origin).ToList();
            changed = stale.Count > 0;
            foreach (var origin in stale)
            {
                _objects.Remove(origin);
            }

            foreach (var configObject in objects)
            {
                changed |= SetLocked(configObject);
            }
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    public void Set(CustomResourceObject configObject)
    {
        bool changed;
        lock (_gate)
        {
            changed = SetLocked(configObject);
        }

        if (changed)
        {
            Changed?.Invoke();
        }
    }

    public void Remove(ConfigKind kind, string ns, string name)
    {
        bool removed;
        lock (_gate)
        {
            removed = _objects.Remove(CustomResourceObject.OriginOf(kind, ns, name));
        }

        if (removed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>The status the API server last reported for an object.</summary>
    public JsonObject? StatusOf(string origin)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(origin, out var configObject) ? configObject.Status : null;
        }
    }

    private bool SetLocked(CustomResourceObject configObject)
    {
        var changed = !_objects.TryGetValue(configObject.Origin, out var previous)
            || previous.Generation != configObject.Generation
            || !string.Equals(previous.Document, configObject.Document, StringComparison.Ordinal);
        _objects[configObject.Origin] = configObject;
        return changed;
    }
}
