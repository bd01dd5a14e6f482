using System.Text.Json.Nodes;
using Mesh.ControlPlane.Admin;
using Mesh.ControlPlane.Tests.Snapshots;

namespace Mesh.ControlPlane.Tests.Admin;

/// <summary>
/// <c>meshctl describe</c> and networks (docs/explain.md): the endpoints of a service on another
/// network, with how the callers' network reaches them — through the east-west gateway, or not at
/// all, each unreachable one a warning in the words the snapshot's split horizon uses.
/// </summary>
public sealed class DescribeNetworksTests
{
    [Fact]
    public void Describe_names_the_endpoints_another_network_cannot_reach_and_those_reached_through_a_gateway()
    {
        var description = Describe(NetworkSnapshotTests.Networks, "details");

        Assert.Equal(
            [
                "endpoint 192.168.50.9 (network net-b) not reachable from network net-a: it has no sidecar, and plaintext cannot cross networks",
                "endpoint 172.16.0.9 (network net-c) not reachable from network net-a: no east-west gateway for net-c",
            ],
            description["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).Where(w => w.StartsWith("endpoint ", StringComparison.Ordinal)));
        var rows = description["network_endpoints"]!.AsArray().Select(r => (Endpoint: r!["endpoint"]!.GetValue<string>(), From: r["from_network"]!.GetValue<string>(), Reached: r["reached"]!.GetValue<string>())).ToList();
        Assert.Contains(("192.168.50.7:9080", "net-a", "via 203.0.113.10:15443 or 203.0.113.11:15443"), rows);
        Assert.Contains(("172.16.0.9:9080", "net-a", "unreachable"), rows);
        // The local endpoint (details-v1 on net-a) is not on another network from any caller's network here.
        Assert.DoesNotContain(rows, r => r.Endpoint.StartsWith("10.0.0.2:", StringComparison.Ordinal) && r.From == "net-a");
    }

    [Fact]
    public void With_a_gateway_for_the_network_there_is_no_warning_and_without_networks_no_rows()
    {
        var withGateway = Describe(NetworkSnapshotTests.Networks.Replace(
            "        gateways: [{address: 203.0.113.10, port: 15443}, {address: 203.0.113.11, port: 15443}]",
            "        gateways: [{address: 203.0.113.10, port: 15443}, {address: 203.0.113.11, port: 15443}]\n      net-c:\n        endpoints: [{fromCidr: 172.16.0.0/16}]\n        gateways: [{address: 203.0.113.20, port: 15443}]",
            StringComparison.Ordinal), "details");
        Assert.DoesNotContain(withGateway["warnings"]!.AsArray(), w => w!.GetValue<string>().Contains("net-c", StringComparison.Ordinal));
        Assert.Contains(withGateway["network_endpoints"]!.AsArray(), r => r!["endpoint"]!.GetValue<string>() == "172.16.0.9:9080" && r["reached"]!.GetValue<string>() == "via 203.0.113.20:15443");

        var flat = Describe("""
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: details-vm1, namespace: default}
            spec: {address: 192.168.50.7, labels: {app: details}, serviceAccount: details-vm}
            """, "details");
        Assert.Empty(flat["network_endpoints"]!.AsArray());
        Assert.DoesNotContain(flat["warnings"]!.AsArray(), w => w!.GetValue<string>().StartsWith("endpoint ", StringComparison.Ordinal));
    }

    private static JsonObject Describe(string yaml, string name) =>
        new MeshDescriber(BookinfoMesh.Inputs(BookinfoMesh.Parse(yaml))).Describe(name, null)!;
}
