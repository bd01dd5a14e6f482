using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// WorkloadEntries (issue 14) are endpoints of every service whose selector matches their labels:
/// a registry service by its name as <c>app</c>, a Kubernetes Service by its selector, a
/// ServiceEntry by its workloadSelector; with their address, ports mapping, locality, weight and
/// service account (the identity mTLS expects).
/// </summary>
public sealed class WorkloadEntrySnapshotTests
{
    private const string DetailsVm = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-vm, namespace: default}
        spec:
          address: 192.168.50.7
          labels: {app: details, version: v2}
          ports: {http: 19080}
          serviceAccount: bookinfo-details-vm
          locality: us-east/zone-a/rack-1
          weight: 5
        """;

    private static ProxySnapshot Build(string yaml, Node node) => BookinfoMesh.BuildValid(yaml, node);

    [Fact]
    public void A_workload_entry_labelled_with_a_registry_services_app_is_its_endpoint_beside_the_proxies()
    {
        var snapshot = Build(DetailsVm, BookinfoMesh.ProductPage);

        var endpoints = snapshot.Cluster("outbound|9080||details.default.svc.cluster.local").Endpoints;
        Assert.Equal(2, endpoints.Count);
        var vm = Assert.Single(endpoints, e => e.Workload == "details-vm");
        Assert.Equal(("192.168.50.7", 19080u, 5u, "us-east/zone-a/rack-1"), (vm.Address, vm.Port, vm.Weight, vm.Locality));
        Assert.True(vm.Mtls);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-details-vm", vm.Identity);
        Assert.Equal("v2", vm.Labels["version"]);
        // The proxy's own endpoint is unchanged.
        Assert.Single(endpoints, e => e.Workload == "details-v1");
    }

    [Fact]
    public void An_entry_in_another_namespace_or_with_other_labels_is_no_endpoint()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: details-elsewhere, namespace: other}
            spec: {address: 192.168.50.8, labels: {app: details}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: not-details, namespace: default}
            spec: {address: 192.168.50.9, labels: {app: detail}}
            """, BookinfoMesh.ProductPage);

        Assert.DoesNotContain(snapshot.Cluster("outbound|9080||details.default.svc.cluster.local").Endpoints, e => e.Address.StartsWith("192.168.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_service_entry_workload_selector_takes_entries_with_the_port_mapped_by_name_else_the_target_port()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: legacy, namespace: default}
            spec:
              hosts: [legacy.example.internal]
              location: MESH_INTERNAL
              resolution: STATIC
              ports:
              - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
              - {number: 5432, name: tcp-db, protocol: TCP}
              workloadSelector: {labels: {app: legacy}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: legacy-vm, namespace: default}
            spec:
              address: 10.9.0.1
              labels: {app: legacy, security.istio.io/tlsMode: disabled}
              ports: {tcp-db: 15432}
              serviceAccount: legacy
            """, BookinfoMesh.ProductPage);

        var http = Assert.Single(snapshot.Cluster("outbound|80||legacy.example.internal").Endpoints);
        Assert.Equal(("10.9.0.1", 8080u), (http.Address, http.Port));
        // tlsMode disabled: a plaintext peer even though it names a service account.
        Assert.False(http.Mtls);
        var db = Assert.Single(snapshot.Cluster("outbound|5432||legacy.example.internal").Endpoints);
        Assert.Equal(15432u, db.Port);
    }

    [Fact]
    public void A_kubernetes_service_selector_takes_entries_and_an_entry_without_account_or_tls_label_is_plaintext()
    {
        var snapshot = Build("""
            apiVersion: v1
            kind: Service
            metadata: {name: reviews-vm, namespace: default}
            spec:
              selector: {app: reviews, version: vm}
              ports: [{name: http, port: 9080, targetPort: 19080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: reviews-vm-1, namespace: default}
            spec: {address: 10.9.0.2, labels: {app: reviews, version: vm}}
            """, BookinfoMesh.ProductPage);

        var endpoint = Assert.Single(snapshot.Cluster("outbound|9080||reviews-vm.default.svc.cluster.local").Endpoints);
        Assert.Equal(("10.9.0.2", 19080u, 1u), (endpoint.Address, endpoint.Port, endpoint.Weight));
        Assert.False(endpoint.Mtls);
        Assert.Equal("", endpoint.Identity);
        // The reviews service (app: reviews) takes the entry too, on its service port.
        Assert.Contains(snapshot.Cluster("outbound|9080||reviews.default.svc.cluster.local").Endpoints, e => e.Workload == "reviews-vm-1" && e.Port == 9080);
    }

    [Fact]
    public void A_tls_mode_istio_entry_without_account_is_the_default_service_account()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: ratings-vm, namespace: default}
            spec: {address: 10.9.0.3, labels: {app: ratings, security.istio.io/tlsMode: istio}}
            """, BookinfoMesh.ProductPage);

        var vm = Assert.Single(snapshot.Cluster("outbound|9080||ratings.default.svc.cluster.local").Endpoints, e => e.Workload == "ratings-vm");
        Assert.True(vm.Mtls);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/default", vm.Identity);
    }
}
