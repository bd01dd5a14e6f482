using System.Text.Json.Nodes;
using Mesh.Cli.Tests.Infrastructure;
using Mesh.Testing.Workloads;

namespace Mesh.Cli.Tests;

/// <summary>
/// meshctl explain and describe on a mesh of two networks (docs/explain.md, docs/vm.md §5): the
/// mesh on <c>net-a</c>, a VM's WorkloadEntry of details on <c>vm-net</c>. Without an east-west
/// gateway for vm-net the control plane drops the VM's endpoint from productpage's snapshot (Istio's
/// split horizon); explain (the proxy's own code, on that snapshot) and describe name it and why.
/// With a gateway, explain shows the endpoint reached through it.
/// </summary>
public sealed class ExplainNetworksTests
{
    private const string Vm = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-vm, namespace: default}
        spec: {address: 192.0.2.7, network: vm-net, labels: {app: details, version: v2}, serviceAccount: bookinfo-details}
        """;

    private const string VmNetGateway = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio, namespace: istio-system}
        data:
          mesh: "{}"
          meshNetworks: |-
            networks:
              vm-net:
                endpoints: [{fromCidr: 192.0.2.0/24}]
                gateways: [{address: 198.51.100.9, port: 15443}]
        """;

    private const string Unreachable = "endpoint 192.0.2.7 (network vm-net) not reachable from network net-a: no east-west gateway for vm-net";

    [Fact]
    public async Task Explain_and_describe_name_an_endpoint_of_a_network_without_a_gateway_and_one_reached_through_a_gateway()
    {
        await using var mesh = await TestMesh.StartAsync(new TestControlPlaneOptions
        {
            BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
            Settings = new Dictionary<string, string?> { ["ControlPlane:Network"] = "net-a" },
        });
        await mesh.WorkloadAsync(new WorkloadSpec("details"));
        await mesh.WorkloadAsync(new WorkloadSpec("productpage") { Upstreams = ["details"], WithApp = false });
        await mesh["productpage-v1"].WaitForEndpointsAsync("details", 1);
        await mesh.ApplyAsync(Vm);

        // No gateway for vm-net: productpage's sidecar has only details-v1; explain says where the VM went.
        var explained = await ExplainJsonAsync(mesh);
        var items = Step(explained["outbound"]!, "LoadBalancing")["items"]!.AsArray();
        Assert.Equal(["details-v1"], items.Where(i => i!["verdict"]!.GetValue<string>() == "eligible").Select(i => i!["fields"]!["workload"]!.GetValue<string>()));
        var dropped = Assert.Single(items, i => i!["verdict"]!.GetValue<string>() == "unreachable")!;
        Assert.Equal("192.0.2.7:9080", dropped["name"]!.GetValue<string>());
        Assert.StartsWith(Unreachable, dropped["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["details-v1"], explained["inbound"]!.AsArray().Select(h => h!["workload"]!.GetValue<string>()));
        var text = await MeshCli.RunAsync(mesh, "explain", "--from", "productpage", "http://details:9080/details/0");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains($"unreachable  192.0.2.7:9080: {Unreachable}", text.Out);
        Assert.Contains("1 endpoint(s) on other networks unreachable", text.Out);

        var describe = await MeshCli.RunAsync(mesh, "describe", "details");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains($"! {Unreachable}", describe.Out);
        Assert.Matches(@"192\.0\.2\.7:9080\s+details-vm\s+vm-net\s+net-a\s+unreachable", describe.Out);

        // vm-net gets an east-west gateway: the VM's endpoint is reached through it, and nothing warns.
        await mesh.ApplyAsync(VmNetGateway);
        await Poll.UntilAsync("productpage's sidecar reaching the VM through vm-net's gateway", async () =>
            Step((await ExplainJsonAsync(mesh))["outbound"]!, "LoadBalancing")["items"]!.AsArray().Any(i => i!["name"]!.GetValue<string>() == "198.51.100.9:15443"));
        var through = Step((await ExplainJsonAsync(mesh))["outbound"]!, "LoadBalancing")["items"]!.AsArray();
        var gateway = Assert.Single(through, i => i!["name"]!.GetValue<string>() == "198.51.100.9:15443")!;
        Assert.Contains("east-west gateway of network vm-net, for its 1 endpoint(s) there", gateway["detail"]!.GetValue<string>());
        var vm = Assert.Single(through, i => i!["name"]!.GetValue<string>() == "192.0.2.7:9080")!;
        Assert.Equal("via gateway", vm["verdict"]!.GetValue<string>());
        Assert.StartsWith("endpoint 192.0.2.7 (network vm-net) via 198.51.100.9:15443; workload details-vm", vm["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var after = await MeshCli.RunAsync(mesh, "describe", "details");
        Assert.DoesNotContain("not reachable", after.Out, StringComparison.Ordinal);
        Assert.Matches(@"192\.0\.2\.7:9080\s+details-vm\s+vm-net\s+net-a\s+via 198\.51\.100\.9:15443", after.Out);
    }

    private static async Task<JsonNode> ExplainJsonAsync(TestMesh mesh)
    {
        var result = await MeshCli.RunAsync(mesh, "explain", "--from", "productpage", "-o", "json", "http://details:9080/details/0");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Out)!;
    }

    private static JsonNode Step(JsonNode explanation, string stage) =>
        explanation["steps"]!.AsArray().First(s => s!["stage"]!.GetValue<string>() == stage)!;
}
