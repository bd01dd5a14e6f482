using System.Collections.Frozen;

namespace Mesh.Proxy.Gateway;

/// <summary>The Gateway servers of one snapshot (gateway mode), by name.</summary>
internal sealed class GatewayModel
{
    public GatewayModel(IReadOnlyList<GatewayServerModel> servers)
    {
        Servers = servers;
        ByName = servers.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
    }

    public static GatewayModel Empty { get; } = new([]);

    /// <summary>In snapshot order.</summary>
    public IReadOnlyList<GatewayServerModel> Servers { get; }

    public FrozenDictionary<string, GatewayServerModel> ByName { get; }

    public GatewayServerModel? Find(string? name) => name is not null && ByName.TryGetValue(name, out var server) ? server : null;
}
