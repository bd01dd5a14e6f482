using System.Collections.Immutable;
using Mesh.Config.Model;
using Mesh.ControlPlane.Registry;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The east-west gateways of every network, as Istio's network manager finds them: the
/// <c>gateways</c> of meshNetworks (an <c>address</c> and <c>port</c>, or a <c>registryServiceName</c>
/// whose endpoints on that port are the gateway), and every registered gateway proxy labelled
/// <c>topology.istio.io/network</c> with a listener for port 15443 (or its
/// <c>networking.istio.io/gatewayPort</c> label): Istio's east-west gateway Service with that label.
/// Also the networks the services' endpoints are on, so a single-network mesh skips the work.
/// </summary>
internal sealed class NetworkGateways
{
    private static readonly NetworkGateways None = new(ImmutableDictionary<string, ImmutableArray<NetworkGateway>>.Empty, []);

    private readonly ImmutableDictionary<string, ImmutableArray<NetworkGateway>> _byNetwork;

    private NetworkGateways(ImmutableDictionary<string, ImmutableArray<NetworkGateway>> byNetwork, ImmutableHashSet<string> endpointNetworks)
    {
        _byNetwork = byNetwork;
        EndpointNetworks = endpointNetworks;
    }

    /// <summary>The named networks the services' endpoints are on.</summary>
    public ImmutableHashSet<string> EndpointNetworks { get; }

    /// <summary>The gateways of <paramref name="network"/>, in a stable order; empty when it has none.</summary>
    public ImmutableArray<NetworkGateway> Of(string network) => _byNetwork.GetValueOrDefault(network, []);

    /// <summary>Every network that has a gateway, with its gateways (describe and explain).</summary>
    public IReadOnlyDictionary<string, ImmutableArray<NetworkGateway>> All => _byNetwork;

    public static NetworkGateways Build(MeshModel model, RegistrySnapshot registry, ServiceIndex services, MeshSettings settings)
    {
        var networks = services.Services.SelectMany(s => s.Endpoints).Select(e => e.Endpoint.Network).Where(n => n.Length > 0).ToImmutableHashSet(StringComparer.Ordinal);
        if (networks.IsEmpty && model.MeshNetworks.Networks.Count == 0)
        {
            return None;
        }

        var gateways = new Dictionary<string, SortedSet<NetworkGateway>>(StringComparer.Ordinal);
        void Add(string network, string address, uint port, string source)
        {
            if (network.Length == 0 || address.Length == 0 || port is 0 or > 65535)
            {
                return;
            }

            if (!gateways.TryGetValue(network, out var set))
            {
                gateways[network] = set = [];
            }

            set.Add(new NetworkGateway(address, port, source));
        }

        foreach (var (network, definition) in model.MeshNetworks.Networks)
        {
            foreach (var gateway in definition.Gateways)
            {
                var port = gateway.Port ?? 0;
                if (gateway.Address is { } address)
                {
                    Add(network, address, port, "meshNetworks");
                }
                else if (gateway.RegistryServiceName is { } name && services.Find(name) is { } service)
                {
                    foreach (var endpoint in service.Endpoints.Where(e => e.ServicePort == port))
                    {
                        Add(network, endpoint.Endpoint.Address, endpoint.Endpoint.Port, $"meshNetworks {name}");
                    }
                }
            }
        }

        var table = NetworkTable.For(model, settings);
        foreach (var workload in registry.Workloads.Where(w => w.Ready && w.Node.Mode == Wire.ProxyMode.Gateway && w.Node.Labels.ContainsKey(NetworkTable.Label)))
        {
            var node = workload.Node;
            var wanted = node.Labels.TryGetValue(NetworkTable.GatewayPortLabel, out var text) && uint.TryParse(text, out var labelled) ? labelled : NetworkTable.GatewayPort;
            foreach (var listener in node.GatewayListeners.Where(l => l.Port == wanted))
            {
                Add(table.Of(node.Labels, node.Address), node.Address, listener.InboundPort != 0 ? listener.InboundPort : listener.Port, $"gateway {node.Id}");
            }
        }

        return new NetworkGateways(gateways.ToImmutableDictionary(g => g.Key, g => g.Value.ToImmutableArray(), StringComparer.Ordinal), networks);
    }
}

/// <summary>One east-west gateway: where other networks reach it, and where Mesh learnt of it (the first source that named it).</summary>
internal sealed record NetworkGateway(string Address, uint Port, string Source) : IComparable<NetworkGateway>
{
    /// <summary><c>address:port</c> (<c>[address]:port</c> for IPv6), as explain and describe name it.</summary>
    public string Authority => Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]:{Port}" : $"{Address}:{Port}";

    public int CompareTo(NetworkGateway? other) =>
        other is null ? 1
        : string.CompareOrdinal(Address, other.Address) is var byAddress and not 0 ? byAddress
        : Port.CompareTo(other.Port);
}
