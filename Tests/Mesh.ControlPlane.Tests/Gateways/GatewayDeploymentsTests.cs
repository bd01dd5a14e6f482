using Mesh.ControlPlane.Gateways;
using Mesh.ControlPlane.Snapshots;
using static Mesh.ControlPlane.Tests.Snapshots.GatewayApi.GatewayApiMesh;

namespace Mesh.ControlPlane.Tests.Gateways;

/// <summary>Which gateway processes the control plane runs locally, on which local ports, and what status says when two want one port.</summary>
public sealed class GatewayDeploymentsTests
{
    private static string Gateway(string name, string listeners, string gatewayClass = "istio") => $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {"{"}name: {name}{"}"}
        spec:
          gatewayClassName: {gatewayClass}
          listeners:
        {listeners}
        ---

        """;

    [Fact]
    public void Privileged_listener_ports_are_served_on_the_port_plus_the_offset_and_others_keep_theirs()
    {
        var yaml = Gateway("bookinfo-gateway", """
              - {name: http, port: 80, protocol: HTTP}
              - {name: other, port: 80, protocol: HTTP, hostname: other.example.com}
              - {name: alt, port: 8081, protocol: HTTP}
            """);
        var (deployments, problems) = GatewayDeployments.Plan(Inputs(yaml).GatewayApi, new GatewayProxyOptions());

        var deployment = Assert.Single(deployments);
        Assert.Equal(("default", "bookinfo-gateway-istio", "bookinfo-gateway-istio.default"), (deployment.Namespace, deployment.Workload, deployment.NodeId));
        Assert.Equal([(80, 10080, "http,other"), (8081, 8081, "alt")], deployment.Ports.Select(p => (p.ListenerPort, p.LocalPort, p.Listeners)));
        Assert.Empty(problems);
    }

    [Fact]
    public void A_local_port_two_gateways_want_stays_with_the_first_and_the_other_listener_says_PortUnavailable()
    {
        var yaml = Gateway("a-gateway", "  - {name: http, port: 80, protocol: HTTP}") + Gateway("b-gateway", """
              - {name: web, port: 80, protocol: HTTP}
              - {name: alt, port: 9090, protocol: HTTP}
            """) + Gateway("elsewhere", "  - {name: http, port: 80, protocol: HTTP}", gatewayClass: "not-ours");
        var inputs = Inputs(yaml);
        var options = new GatewayProxyOptions { PrivilegedPortOffset = 20000 };
        var (deployments, problems) = GatewayDeployments.Plan(inputs.GatewayApi, options);

        Assert.Equal(["default/a-gateway", "default/b-gateway"], deployments.Select(d => d.Key));
        Assert.Equal([20080], deployments[0].Ports.Select(p => p.LocalPort));
        Assert.Equal([9090], deployments[1].Ports.Select(p => p.LocalPort));
        var problem = Assert.Single(problems["default/b-gateway"]);
        Assert.Equal(("web", "PortUnavailable"), (problem.Key, problem.Value.Reason));

        // The status builder reports it on that listener, and the Gateway as partly valid.
        var addresses = new PlannedAddresses(problems);
        var status = new GatewayApiStatusBuilder(inputs.GatewayApi, inputs.Model, inputs.Registry, addresses, new GatewayApiConditionStamp(TimeProvider.System, _ => 1)).Build();
        var gateway = status["Gateway.gateway.networking.k8s.io/default/b-gateway"];
        Assert.Equal(("True", "ListenersNotValid"), Pair(Summary(Condition(gateway["conditions"], "Accepted"))));
        var web = gateway["listeners"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "web")!;
        Assert.Equal(("False", "PortUnavailable"), Pair(Summary(Condition(web["conditions"], "Accepted"))));
        Assert.Contains("taken by Gateway default/a-gateway", Summary(Condition(web["conditions"], "Accepted")).Message, StringComparison.Ordinal);
    }

    private static (string, string) Pair((string Status, string Reason, string Message) summary) => (summary.Status, summary.Reason);

    private sealed class PlannedAddresses(IReadOnlyDictionary<string, IReadOnlyDictionary<string, GatewayApiProblem>> problems) : IGatewayAddresses
    {
        public IReadOnlyList<GatewayStatusAddress> AddressesOf(string ns, string name) => [];

        public IReadOnlyDictionary<string, GatewayApiProblem> ListenerProblemsOf(string ns, string name) =>
            problems.GetValueOrDefault($"{ns}/{name}") ?? new Dictionary<string, GatewayApiProblem>();
    }
}
