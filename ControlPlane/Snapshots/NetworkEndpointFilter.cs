using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Istio's split horizon (its <c>EndpointsByNetworkFilter</c>) for a proxy on one network: the
/// cluster's endpoints on the proxy's network (or on the unnamed one) stay; the mTLS endpoints on
/// another network are replaced by that network's east-west gateways — per locality, one endpoint
/// per gateway whose weight is the remote endpoints' weight shared among the gateways — which the
/// proxy reaches with mesh mTLS and the <c>outbound_</c> SNI; remote endpoints without a sidecar
/// (plaintext cannot cross networks), and those of a network without a gateway, are dropped.
/// Every remote endpoint is also listed in the cluster's <c>remote_endpoints</c>, with the gateways
/// that reach it or why nothing does, so that <c>meshctl explain</c> can name it (docs/explain.md).
/// </summary>
internal static class NetworkEndpointFilter
{
    /// <summary>Whether any endpoint of <paramref name="cluster"/> is on another named network than <paramref name="network"/>.</summary>
    public static bool HasRemote(Wire.Cluster cluster, string network)
    {
        foreach (var endpoint in cluster.Endpoints)
        {
            if (IsRemote(endpoint, network))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A copy of <paramref name="cluster"/> as a proxy on <paramref name="network"/> sees it.
    /// <paramref name="localOnly"/>: remote endpoints are dropped rather than sent to their gateway
    /// (an east-west gateway forwards only into its own network).
    /// </summary>
    public static Wire.Cluster Apply(Wire.Cluster cluster, string network, NetworkGateways gateways, bool localOnly)
    {
        var result = cluster.Clone();
        result.Endpoints.Clear();
        var remote = new SortedDictionary<(string Network, string Locality, uint Priority, uint LocalityWeight), List<Wire.Endpoint>>();
        foreach (var endpoint in cluster.Endpoints)
        {
            if (!IsRemote(endpoint, network))
            {
                result.Endpoints.Add(endpoint);
                continue;
            }

            var unreachable = Unreachable(endpoint, network, gateways, localOnly);
            result.RemoteEndpoints.Add(Remote(endpoint, unreachable is null ? gateways.Of(endpoint.Network) : [], unreachable));
            if (unreachable is null)
            {
                var key = (endpoint.Network, endpoint.Locality, endpoint.Priority, endpoint.LocalityWeight);
                if (!remote.TryGetValue(key, out var group))
                {
                    remote[key] = group = [];
                }

                group.Add(endpoint);
            }
        }

        foreach (var ((remoteNetwork, locality, priority, localityWeight), group) in remote)
        {
            var through = gateways.Of(remoteNetwork);
            if (through.IsEmpty)
            {
                continue;
            }

            var weight = group.Aggregate(0UL, (sum, e) => sum + Math.Max(1u, e.Weight));
            var share = (uint)Math.Max(1UL, Math.Min(uint.MaxValue, weight / (ulong)through.Length));
            var identities = group.Select(e => e.Identity).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var gateway in through)
            {
                var endpoint = new Wire.Endpoint
                {
                    Address = gateway.Address,
                    Port = gateway.Port,
                    Namespace = group[0].Namespace,
                    Mtls = true,
                    Weight = share,
                    Locality = locality,
                    Priority = priority,
                    LocalityWeight = localityWeight,
                    Network = remoteNetwork,
                    NetworkGateway = true,
                    Identity = identities.Count == 1 ? identities[0] : "",
                };
                endpoint.Identities.AddRange(identities);
                result.Endpoints.Add(endpoint);
            }
        }

        return result;
    }

    /// <summary>
    /// Why a proxy on <paramref name="network"/> cannot reach <paramref name="endpoint"/>, in the words
    /// explain and describe show (<c>not reachable from network net-a: no east-west gateway for
    /// vm-net</c>); null when it can, directly or through a gateway. <paramref name="localOnly"/>: the
    /// proxy is an east-west gateway.
    /// </summary>
    public static string? Unreachable(Wire.Endpoint endpoint, string network, NetworkGateways gateways, bool localOnly)
    {
        if (!IsRemote(endpoint, network))
        {
            return null;
        }

        var why = localOnly ? "an east-west gateway forwards only into its own network"
            : endpoint.NetworkGateway ? $"it is an east-west gateway of {endpoint.Network}"
            : !endpoint.Mtls ? "it has no sidecar, and plaintext cannot cross networks"
            : gateways.Of(endpoint.Network).IsEmpty ? $"no east-west gateway for {endpoint.Network}"
            : null;
        return why is null ? null : $"not reachable from network {network}: {why}";
    }

    private static Wire.RemoteEndpoint Remote(Wire.Endpoint endpoint, IEnumerable<NetworkGateway> via, string? unreachable)
    {
        var remote = new Wire.RemoteEndpoint
        {
            Address = endpoint.Address,
            Port = endpoint.Port,
            Network = endpoint.Network,
            Workload = endpoint.Workload,
            Namespace = endpoint.Namespace,
            NodeId = endpoint.NodeId,
            Identity = endpoint.Identity,
            Unreachable = unreachable ?? "",
        };
        remote.Via.AddRange(via.Select(g => g.Authority));
        return remote;
    }

    private static bool IsRemote(Wire.Endpoint endpoint, string network) =>
        endpoint.Network.Length > 0 && network.Length > 0 && endpoint.Network != network;
}
