using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Yarp.ReverseProxy.Model;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// The endpoints of a cluster as the load balancer sees them now: those YARP's availability (the
/// cluster's outlier detection) leaves eligible, and those ejected, with the workload and proxy each
/// belongs to (from the snapshot) and the scheme YARP dials it with (https: mesh mTLS originated).
/// </summary>
internal static class EndpointExplanation
{
    /// <summary>Records the endpoints; returns how many are eligible (-1: not a load-balanced cluster).</summary>
    public static int Explain(ExplainContext explain, UpstreamCluster cluster)
    {
        if (cluster.IsPassthrough)
        {
            explain.Add(new ExplainStep(nameof(ProxyStage.LoadBalancing), "passthrough", $"{cluster.Name}: the address the caller asked for"));
            return -1;
        }

        if (!cluster.IsBound)
        {
            explain.Add(new ExplainStep(nameof(ProxyStage.LoadBalancing), "unbound", $"{cluster.Name} is not bound to a YARP cluster"));
            return -1;
        }

        var snapshot = explain.Routing.Model?.Snapshot.Clusters.FirstOrDefault(c => c.Name == cluster.Name);
        var state = cluster.State.DestinationsState;
        var available = state.AvailableDestinations;
        var items = new List<ExplainItem>(state.AllDestinations.Count);
        foreach (var destination in state.AllDestinations)
        {
            var endpoint = snapshot?.Endpoints.FirstOrDefault(e => ClusterConventions.FormatAuthority(e.Address, e.Port) == destination.DestinationId);
            var eligible = available.Contains(destination);
            var ejected = destination.Health.Passive == DestinationHealth.Unhealthy;
            var verdict = eligible ? "eligible" : ejected ? "ejected" : "unavailable";
            var who = endpoint is null ? ""
                : endpoint.NetworkGateway ? $"east-west gateway of network {endpoint.Network}, for its {snapshot!.RemoteEndpoints.Count(r => r.Via.Contains(destination.DestinationId))} endpoint(s) there, "
                : $"workload {endpoint.Workload}{(endpoint.NodeId.Length > 0 ? $" (proxy {endpoint.NodeId})" : "")}, ";
            var address = destination.Model.Config.Address;
            var fields = new Dictionary<string, string>
            {
                ["cluster"] = cluster.Name,
                ["scheme"] = address.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "https" : "http",
            };
            if (endpoint is { NetworkGateway: true })
            {
                // No workload: the control plane explains the inbound half at the endpoints behind it (below).
                fields["network"] = endpoint.Network;
                fields["network_gateway"] = "true";
            }
            else if (endpoint is not null)
            {
                fields["workload"] = endpoint.Workload;
                fields["proxy"] = endpoint.NodeId;
                fields["namespace"] = endpoint.Namespace;
                fields["identity"] = endpoint.Identity;
            }

            items.Add(new ExplainItem(destination.DestinationId, verdict, $"{who}{address}{(ejected ? ", ejected by outlier detection" : "")}") { Fields = fields });
        }

        if (snapshot is not null)
        {
            items.AddRange(snapshot.RemoteEndpoints.Select(remote => RemoteItem(cluster.Name, remote)));
        }

        var policy = cluster.State.Model.Config.LoadBalancingPolicy ?? "default";
        var verdictText = available.Count == 0 ? "no healthy upstream" : $"{available.Count} eligible";
        var unreachable = snapshot?.RemoteEndpoints.Count(r => r.Via.Count == 0) ?? 0;
        var dropped = unreachable == 0 ? "" : $"; {unreachable} endpoint(s) on other networks unreachable";
        explain.Add(new ExplainStep(nameof(ProxyStage.LoadBalancing), verdictText, $"{cluster.Name}: {available.Count} of {state.AllDestinations.Count} endpoint(s) eligible; load balancing policy {policy}{dropped}") { Items = items });
        return available.Count;
    }

    /// <summary>
    /// An endpoint on another network (the snapshot's <c>remote_endpoints</c>): reached through an
    /// east-west gateway, mTLS end to end with the endpoint's own proxy (so the control plane explains
    /// that proxy's inbound half), or dropped by the control plane, with its reason.
    /// </summary>
    private static ExplainItem RemoteItem(string cluster, Wire.RemoteEndpoint remote)
    {
        var name = ClusterConventions.FormatAuthority(remote.Address, remote.Port);
        var who = remote.Workload.Length == 0 ? "" : $"; workload {remote.Workload}{(remote.NodeId.Length > 0 ? $" (proxy {remote.NodeId})" : "")}";
        var fields = new Dictionary<string, string> { ["cluster"] = cluster, ["network"] = remote.Network };
        if (remote.Via.Count == 0)
        {
            return new ExplainItem(name, "unreachable", $"endpoint {remote.Address} (network {remote.Network}) {remote.Unreachable}{who}") { Fields = fields };
        }

        fields["scheme"] = "https";
        fields["workload"] = remote.Workload;
        fields["proxy"] = remote.NodeId;
        fields["namespace"] = remote.Namespace;
        fields["identity"] = remote.Identity;
        fields["via"] = string.Join(",", remote.Via);
        return new ExplainItem(name, "via gateway", $"endpoint {remote.Address} (network {remote.Network}) via {string.Join(" or ", remote.Via)}{who}") { Fields = fields };
    }
}
