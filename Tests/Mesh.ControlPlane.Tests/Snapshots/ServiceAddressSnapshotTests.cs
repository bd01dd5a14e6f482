using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// <c>service_addresses</c> (docs/capture.md): sent only to sidecars with transparent capture; mesh
/// services get a VIP from 240.241.0.0/16, ServiceEntry hosts without addresses one from
/// 240.240.0.0/16, a ServiceEntry with addresses its own; the VIPs do not depend on what else exists.
/// </summary>
public sealed class ServiceAddressSnapshotTests
{
    private const string ServiceEntries = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: httpbin}
        spec:
          hosts: [httpbin.org]
          ports: [{number: 80, name: http, protocol: HTTP}]
          resolution: DNS
          location: MESH_EXTERNAL
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: db}
        spec:
          hosts: [db.internal]
          addresses: [10.9.0.7/32]
          ports: [{number: 5432, name: tcp, protocol: TCP}]
          resolution: STATIC
          endpoints: [{address: 127.0.0.2}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: anything}
        spec:
          hosts: ["*.example.com"]
          ports: [{number: 443, name: tls, protocol: TLS}]
          resolution: NONE
        """;

    [Fact]
    public void A_sidecar_without_capture_gets_no_service_addresses()
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(ServiceEntries)), BookinfoMesh.ProductPage);

        Assert.Empty(snapshot.ServiceAddresses);
    }

    [Fact]
    public void A_capturing_sidecar_gets_a_vip_per_mesh_service_and_service_entry_host()
    {
        var node = BookinfoMesh.ProductPage.Clone();
        node.TransparentCapture = true;

        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(ServiceEntries)), node);

        var byName = snapshot.ServiceAddresses.ToDictionary(a => a.Name);
        var reviews = byName["reviews.default.svc.cluster.local"];
        Assert.True(reviews.MeshService);
        Assert.Equal("default", reviews.Namespace);
        Assert.StartsWith("240.241.", Assert.Single(reviews.Addresses), StringComparison.Ordinal);
        Assert.Equal([(9080u, Protocol.Http)], reviews.Ports.Select(p => (p.Number, p.Protocol)));

        var httpbin = byName["httpbin.org"];
        Assert.False(httpbin.MeshService);
        Assert.StartsWith("240.240.", Assert.Single(httpbin.Addresses), StringComparison.Ordinal);

        // A ServiceEntry's own address; a wildcard host with resolution NONE has none to give.
        Assert.Equal(["10.9.0.7"], byName["db.internal"].Addresses);
        Assert.Equal([(5432u, Protocol.Tcp)], byName["db.internal"].Ports.Select(p => (p.Number, p.Protocol)));
        Assert.DoesNotContain("*.example.com", byName.Keys);

        var all = snapshot.ServiceAddresses.SelectMany(a => a.Addresses).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, a => Assert.True(IPAddress.TryParse(a, out _)));
    }

    [Fact]
    public void A_service_keeps_its_vip_whatever_else_comes_and_goes()
    {
        var node = BookinfoMesh.ProductPage.Clone();
        node.TransparentCapture = true;

        var before = SnapshotBuilder.Build(BookinfoMesh.Inputs(), node).ServiceAddresses.ToDictionary(a => a.Name, a => a.Addresses.Single());
        var after = SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(ServiceEntries)), node).ServiceAddresses.ToDictionary(a => a.Name, a => a.Addresses.Single());

        Assert.NotEmpty(before);
        Assert.All(before, pair => Assert.Equal(pair.Value, after[pair.Key]));
    }

    [Fact]
    public void Hostnames_that_share_a_slot_get_different_addresses_until_the_range_is_full()
    {
        static ServiceModel Service(int i) => new() { Hostname = $"s{i}.default.svc.cluster.local", ShortName = $"s{i}", Namespace = "default", Ports = [], Endpoints = [] };

        // One more mesh service than 240.241.0.0/16 has host addresses: many share a hash slot.
        var addresses = ServiceAddressAllocator.Allocate(Enumerable.Range(0, 65535).Select(Service));

        Assert.Equal(65534, addresses.Count);
        Assert.Equal(65534, addresses.Values.Distinct().Count());
        Assert.All(addresses.Values, a => Assert.StartsWith("240.241.", a, StringComparison.Ordinal));
        Assert.DoesNotContain("240.241.0.0", addresses.Values);
        Assert.DoesNotContain("240.241.255.255", addresses.Values);
    }
}
