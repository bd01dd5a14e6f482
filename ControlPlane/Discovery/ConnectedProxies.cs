using System.Collections.Concurrent;

namespace Mesh.ControlPlane.Discovery;

/// <summary>The open discovery streams by proxy id (a reconnecting proxy replaces its old stream).</summary>
internal sealed class ConnectedProxies
{
    private readonly ConcurrentDictionary<string, ProxyConnection> _byId = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public IEnumerable<ProxyConnection> All => _byId.Values;

    public ProxyConnection? Find(string id) => _byId.TryGetValue(id, out var connection) ? connection : null;

    /// <summary>Adds a stream; returns the stream it replaced (the same proxy's previous one), if any.</summary>
    public ProxyConnection? Add(ProxyConnection connection)
    {
        ProxyConnection? replaced = null;
        _byId.AddOrUpdate(connection.Id, connection, (_, old) =>
        {
            replaced = old;
            return connection;
        });
        return replaced;
    }

    /// <summary>Removes a stream unless a newer stream of the same proxy already replaced it.</summary>
    public bool Remove(ProxyConnection connection) =>
        _byId.TryRemove(new KeyValuePair<string, ProxyConnection>(connection.Id, connection));
}
