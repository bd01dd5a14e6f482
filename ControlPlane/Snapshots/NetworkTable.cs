using System.Net;
using System.Runtime.CompilerServices;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Which network a workload or endpoint is on, as Istio decides it: its own network (a
/// WorkloadEntry's <c>network</c>, else the <c>topology.istio.io/network</c> label of the workload or
/// entry), else the meshNetworks network whose <c>fromCidr</c> holds its address, else the network
/// with a <c>fromRegistry</c> (Mesh has one registry: this control plane's), else the control plane's
/// <c>ControlPlane:Network</c>. Empty is the unnamed network, which Istio treats as the same network
/// as any other: with no network configured anywhere nothing changes.
/// </summary>
internal sealed class NetworkTable
{
    /// <summary>Istio's label for a workload's (and a gateway's) network.</summary>
    public const string Label = "topology.istio.io/network";

    /// <summary>Istio's label on an east-west gateway naming the port it takes cross-network mTLS on (default 15443).</summary>
    public const string GatewayPortLabel = "networking.istio.io/gatewayPort";

    /// <summary>Istio's port for cross-network traffic (the east-west gateway's <c>tls</c> port, AUTO_PASSTHROUGH).</summary>
    public const uint GatewayPort = 15443;

    private static readonly ConditionalWeakTable<MeshModel, NetworkTable> Cache = new();

    private readonly (IPNetwork Cidr, string Network)[] _cidrs;
    private readonly string _default;

    private NetworkTable(MeshModel model, string configured)
    {
        var cidrs = new List<(IPNetwork, string)>();
        string? fromRegistry = null;
        foreach (var (name, network) in model.MeshNetworks.Networks.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            foreach (var endpoints in network.Endpoints)
            {
                if (endpoints.FromCidr is { } cidr && IPNetwork.TryParse(cidr, out var parsed))
                {
                    cidrs.Add((parsed, name));
                }
                else if (endpoints.FromRegistry is { Length: > 0 })
                {
                    fromRegistry ??= name;
                }
            }
        }

        _cidrs = [.. cidrs];
        Configured = configured;
        _default = configured.Length > 0 ? configured : fromRegistry ?? "";
    }

    /// <summary>The <c>ControlPlane:Network</c> this table was built for.</summary>
    private string Configured { get; }

    public static NetworkTable For(MeshModel model, MeshSettings settings)
    {
        var table = Cache.GetValue(model, m => new NetworkTable(m, settings.Network));
        return table.Configured == settings.Network ? table : new NetworkTable(model, settings.Network);
    }

    /// <summary>The network of a workload or endpoint with these labels and address (and a WorkloadEntry's own <c>network</c>).</summary>
    public string Of(IReadOnlyDictionary<string, string> labels, string? address, string? own = null)
    {
        if (!string.IsNullOrEmpty(own))
        {
            return own;
        }

        if (labels.TryGetValue(Label, out var labelled) && labelled.Length > 0)
        {
            return labelled;
        }

        if (_cidrs.Length > 0 && IPAddress.TryParse(address, out var ip))
        {
            foreach (var (cidr, network) in _cidrs)
            {
                if (cidr.Contains(ip))
                {
                    return network;
                }
            }
        }

        return _default;
    }
}
