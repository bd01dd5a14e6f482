using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// Multi-network meshes (docs/vm.md §5), as Istio's split horizon: endpoints on the caller's network
/// stay; mTLS endpoints on another network become that network's east-west gateways (one per
/// gateway and locality, weight = the remote endpoints' weight shared among the gateways);
/// plaintext remote endpoints and those of a network without a gateway are dropped; the east-west
/// gateway itself sends only into its own network.
/// </summary>
public sealed class NetworkSnapshotTests
{
    internal const string Networks = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio, namespace: istio-system}
        data:
          mesh: "{}"
          meshNetworks: |-
            networks:
              net-a:
                endpoints: [{fromCidr: 10.0.0.0/24}]
              net-b:
                endpoints: [{fromCidr: 192.168.0.0/16}]
                gateways: [{address: 203.0.113.10, port: 15443}, {address: 203.0.113.11, port: 15443}]
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-vm1, namespace: default}
        spec: {address: 192.168.50.7, labels: {app: details}, serviceAccount: details-vm, weight: 5}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-vm2, namespace: default}
        spec: {address: 192.168.50.8, labels: {app: details}, serviceAccount: details-legacy, weight: 3}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-plain, namespace: default}
        spec: {address: 192.168.50.9, labels: {app: details, security.istio.io/tlsMode: disabled}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-c, namespace: default}
        spec: {address: 172.16.0.9, network: net-c, labels: {app: details}, serviceAccount: details-vm}
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: cross-network-gateway, namespace: istio-system}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: AUTO_PASSTHROUGH}, hosts: ["*.local"]}]
        """;

    [Fact]
    public void A_proxy_reaches_remote_mtls_endpoints_through_their_networks_gateways_and_drops_the_rest()
    {
        var endpoints = BookinfoMesh.BuildValid(Networks, BookinfoMesh.ProductPage).Cluster("outbound|9080||details.default.svc.cluster.local").Endpoints;

        var local = Assert.Single(endpoints, e => !e.NetworkGateway);
        Assert.Equal(("details-v1", "net-a"), (local.Workload, local.Network));
        var gateways = endpoints.Where(e => e.NetworkGateway).ToList();
        Assert.Equal([("203.0.113.10", 15443u, 4u), ("203.0.113.11", 15443u, 4u)], gateways.Select(g => (g.Address, g.Port, g.Weight)));
        Assert.All(gateways, g =>
        {
            Assert.True(g.Mtls);
            Assert.Equal("net-b", g.Network);
            Assert.Equal(["spiffe://cluster.local/ns/default/sa/details-legacy", "spiffe://cluster.local/ns/default/sa/details-vm"], g.Identities);
        });
        Assert.DoesNotContain(endpoints, e => e.Address.StartsWith("192.168.", StringComparison.Ordinal) || e.Address.StartsWith("172.16.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cluster_names_every_remote_endpoint_with_its_gateways_or_why_it_is_unreachable()
    {
        var remote = BookinfoMesh.BuildValid(Networks, BookinfoMesh.ProductPage).Cluster("outbound|9080||details.default.svc.cluster.local").RemoteEndpoints;

        Assert.Equal(
            [
                ("172.16.0.9", "net-c", "", "not reachable from network net-a: no east-west gateway for net-c"),
                ("192.168.50.7", "net-b", "203.0.113.10:15443,203.0.113.11:15443", ""),
                ("192.168.50.8", "net-b", "203.0.113.10:15443,203.0.113.11:15443", ""),
                ("192.168.50.9", "net-b", "", "not reachable from network net-a: it has no sidecar, and plaintext cannot cross networks"),
            ],
            remote.Select(r => (r.Address, r.Network, string.Join(",", r.Via), r.Unreachable)).OrderBy(r => r.Address, StringComparer.Ordinal));
        Assert.Equal(["details-c", "details-plain", "details-vm1", "details-vm2"], remote.Select(r => r.Workload).Order(StringComparer.Ordinal));
        Assert.All(remote, r => Assert.Equal(9080u, r.Port));

        // On the endpoints' own network nothing is remote; the east-west gateway of net-b reaches net-a's
        // endpoints not at all (it forwards only into its own network) and says so.
        Assert.DoesNotContain(BookinfoMesh.BuildValid(Networks, NodeOn("net-b")).Cluster("outbound|9080||details.default.svc.cluster.local").RemoteEndpoints, r => r.Network == "net-b");
        var gateway = BookinfoMesh.IngressGateway.Clone();
        gateway.Labels["topology.istio.io/network"] = "net-b";
        var fromGateway = BookinfoMesh.BuildValid(Networks, gateway).Cluster("outbound|9080||details.default.svc.cluster.local").RemoteEndpoints;
        Assert.Contains(fromGateway, r => r.Workload == "details-v1" && r.Unreachable == "not reachable from network net-b: an east-west gateway forwards only into its own network");
    }

    [Fact]
    public void Without_remote_endpoints_the_cluster_lists_none()
    {
        var cluster = BookinfoMesh.BuildValid(Networks, BookinfoMesh.ProductPage).Cluster("outbound|9080||reviews.default.svc.cluster.local");

        Assert.Empty(cluster.RemoteEndpoints);
    }

    private static Node NodeOn(string network)
    {
        var node = BookinfoMesh.ProductPage.Clone();
        node.Labels["topology.istio.io/network"] = network;
        return node;
    }

    [Fact]
    public void An_east_west_gateway_sends_only_into_its_own_network()
    {
        var gateway = BookinfoMesh.IngressGateway.Clone();
        gateway.Labels["topology.istio.io/network"] = "net-b";

        var endpoints = BookinfoMesh.BuildValid(Networks, gateway).Cluster("outbound|9080||details.default.svc.cluster.local").Endpoints;

        Assert.Equal(["details-plain", "details-vm1", "details-vm2"], endpoints.Select(e => e.Workload).Order());
        Assert.DoesNotContain(endpoints, e => e.NetworkGateway);
    }

    [Fact]
    public void Without_networks_nothing_changes()
    {
        var endpoints = BookinfoMesh.BuildValid("""
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: details-vm1, namespace: default}
            spec: {address: 192.168.50.7, labels: {app: details}, serviceAccount: details-vm}
            """, BookinfoMesh.ProductPage).Cluster("outbound|9080||details.default.svc.cluster.local").Endpoints;

        Assert.Equal(["", ""], endpoints.Select(e => e.Network));
        Assert.DoesNotContain(endpoints, e => e.NetworkGateway);
    }
}
