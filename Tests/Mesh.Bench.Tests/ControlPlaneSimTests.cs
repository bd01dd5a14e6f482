using Mesh.Bench.Tool.ControlPlaneSim;
using Mesh.Contracts.Snapshots;

namespace Mesh.Bench.Tests;

/// <summary>
/// The control-plane simulation at the largest size (`bench/run --cp-proxies 10000`):
/// what it asks of the control plane and the machine must fit before a quiet-machine run is spent on it.
/// </summary>
public sealed class ControlPlaneSimTests
{
    [Theory]
    [InlineData(5000, 250, 50)]
    [InlineData(10000, 500, 100)]
    public void A_fleet_of_N_proxies_is_N_over_20_services_of_20_distinct_replicas_on_connections_Kestrel_accepts(int proxies, int services, int connections)
    {
        var options = new SimulatorOptions { GrpcUrl = new Uri("http://127.0.0.1:1"), AdminUrl = new Uri("http://127.0.0.1:2"), Proxies = proxies };

        Assert.Equal(services, options.EffectiveServices);
        Assert.Equal(connections, options.Connections);
        Assert.True(options.StreamsPerConnection <= 100, "Kestrel's default MaxStreamsPerConnection is 100: more streams on one connection would wait");

        var nodes = Enumerable.Range(0, proxies).Select(i => SimulatedMesh.NodeFor(i, services)).ToList();
        Assert.Equal(proxies, nodes.Select(n => n.Id).Distinct().Count());
        var inboundPorts = nodes.Select(n => n.Services.Single().Ports.Single().InboundPort).ToList();
        Assert.Equal(proxies, inboundPorts.Distinct().Count());
        Assert.True(inboundPorts.Max() <= ushort.MaxValue, $"inbound port {inboundPorts.Max()} is not a port");

        // Every service has 20 replicas, half v1 and half v2, and calls the next service.
        foreach (var service in nodes.GroupBy(SimulatedMesh.ServiceIndexOf))
        {
            Assert.Equal(20, service.Count());
            Assert.Equal(10, service.Count(n => n.Labels["version"] == "v1"));
            Assert.All(service, n => Assert.Equal(SimulatedMesh.ServiceName((service.Key + 1) % services), n.Outbound.Single().Host));
        }

        Assert.Equal(services, nodes.Select(SimulatedMesh.ServiceIndexOf).Distinct().Count());
        Assert.All(nodes, n => Assert.Equal(ProxyMode.Sidecar, n.Mode));
    }

    [Fact]
    public void With_Sidecar_scoping_each_of_the_500_services_gets_one_Sidecar_that_imports_itself_the_next_and_svc_0()
    {
        var documents = SimulatedMesh.SidecarScopes(500).Split("---\n");

        Assert.Equal(500, documents.Length);
        for (var i = 0; i < documents.Length; i++)
        {
            var lines = documents[i].Split('\n').Select(l => l.Trim()).ToList();
            Assert.Contains($"name: {SimulatedMesh.ServiceName(i)}", lines);
            var imported = lines.Where(l => l.StartsWith("- ./svc-", StringComparison.Ordinal)).Select(l => l["- ./".Length..].Split('.')[0]).Order().ToList();
            Assert.Equal(SimulatedMesh.VisibleServices(i, 500, scoped: true).Select(SimulatedMesh.ServiceName).Order(), imported);
        }

        Assert.Equal([0, 7, 8], SimulatedMesh.VisibleServices(7, 500, scoped: true).Order());
    }
}
