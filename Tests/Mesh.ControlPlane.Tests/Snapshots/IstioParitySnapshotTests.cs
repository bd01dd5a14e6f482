using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// Istio fields Mesh implements in the control plane's translation (issue 18): the proxy receives
/// their meaning in the forms it already matches (principals, patterns, endpoints, scoping).
/// </summary>
public sealed class IstioParitySnapshotTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    private static ProxySnapshot Build(string yaml, Node node) => BookinfoMesh.BuildValid(yaml, node);

    [Fact]
    public void Trust_domains_bare_service_accounts_and_source_identity_conditions_become_principal_matches()
    {
        var snapshot = Build("""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ratings, namespace: default}
            spec:
              selector: {matchLabels: {app: ratings}}
              rules:
              - from: [{source: {trustDomains: [cluster.local, "legacy*"], notTrustDomains: [old.local]}}]
              - from: [{source: {principals: ["cluster.local/ns/default/*", "other.org/ns/x/sa/y", "*"], trustDomains: [cluster.local]}}]
              - from: [{source: {principals: [other.org/ns/x/sa/y], trustDomains: [cluster.local]}}]
              - from: [{source: {serviceAccounts: [bookinfo-reviews, prod/api], notServiceAccounts: [bookinfo-details]}}]
              - when:
                - {key: source.serviceAccount, values: [bookinfo-reviews], notValues: [other/sa]}
                - {key: source.trustDomain, values: [cluster.local, "*"], notValues: ["legacy*"]}
            """, BookinfoMesh.Ratings);

        var rules = snapshot.Inbound.Authorization.Single().Rules;
        Assert.Equal(["cluster.local/*", "legacy*"], rules[0].From.Single().Principals);
        Assert.Equal(["old.local/*"], rules[0].From.Single().NotPrincipals);
        // principals AND trustDomains: each principal pattern narrowed to the trust domain.
        Assert.Equal(["cluster.local/ns/default/*", "cluster.local/*"], rules[1].From.Single().Principals);
        // nothing can match both: a principal that no SPIFFE identity has.
        Assert.Equal(["<none>"], rules[2].From.Single().Principals);
        // a bare service account is one of the policy's namespace.
        Assert.Equal(["cluster.local/ns/default/sa/bookinfo-reviews", "cluster.local/ns/prod/sa/api"], rules[3].From.Single().Principals);
        Assert.Equal(["cluster.local/ns/default/sa/bookinfo-details"], rules[3].From.Single().NotPrincipals);
        var (account, domain) = (rules[4].When[0], rules[4].When[1]);
        Assert.Equal(("source.principal", "cluster.local/ns/default/sa/bookinfo-reviews", "cluster.local/ns/other/sa/sa"), (account.Key, account.Values.Single(), account.NotValues.Single()));
        Assert.Equal(("source.principal", "legacy*"), (domain.Key, domain.NotValues.Single()));
        Assert.Equal(["cluster.local/*", "*"], domain.Values);
    }

    [Fact]
    public void A_service_entry_with_a_workload_selector_takes_the_matching_workloads_as_endpoints()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: reviews-vm, namespace: default}
            spec:
              hosts: [reviews.internal.example.com]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 80, name: http, protocol: HTTP, targetPort: 9080}]
              workloadSelector: {labels: {app: reviews, version: v2}}
            """, BookinfoMesh.ProductPage);

        var cluster = snapshot.Cluster("outbound|80||reviews.internal.example.com");
        var endpoint = Assert.Single(cluster.Endpoints);
        Assert.Equal(("10.0.0.4", 15004u, "reviews-v2"), (endpoint.Address, endpoint.Port, endpoint.Workload));
        Assert.True(endpoint.Mtls);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-reviews", endpoint.Identity);
    }

    [Fact]
    public void A_service_entry_without_ports_is_valid_and_routes_nothing()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: no-ports, namespace: default}
            spec:
              hosts: [api.example.com]
              resolution: DNS
            """, BookinfoMesh.ProductPage);

        Assert.DoesNotContain(snapshot.Clusters, c => c.Service == "api.example.com");
        Assert.DoesNotContain(snapshot.VirtualHosts, v => v.Name.StartsWith("api.example.com", StringComparison.Ordinal));
    }

    [Fact]
    public void Sidecar_egress_hosts_with_a_tilde_namespace_exclude_what_others_import()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: productpage, namespace: default}
            spec:
              workloadSelector: {labels: {app: productpage}}
              egress:
              - hosts: ["*/*", "~default/ratings.default.svc.cluster.local", "~/details.default.svc.cluster.local"]
            """, BookinfoMesh.ProductPage);

        Assert.Equal([$"productpage.default.svc.cluster.local:9080", $"{Reviews}:9080"], snapshot.VirtualHosts.Select(v => v.Name).Order());
    }

    [Fact]
    public void Header_values_keep_a_literal_percent_and_an_abort_without_an_error_type_does_nothing()
    {
        var snapshot = Build("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - fault: {abort: {percentage: {value: 50}}, delay: {percentage: {value: 10}, fixedDelay: 1s}}
                headers: {request: {set: {x-discount: "100%%"}}}
                route: [{destination: {host: reviews}}]
            """, BookinfoMesh.ProductPage);

        var route = snapshot.Host($"{Reviews}:9080").Routes.Single();
        Assert.Equal("100%", route.RequestHeaders.Set["x-discount"]);
        Assert.Null(route.Fault.Abort);
        Assert.Equal(1, route.Fault.Delay.FixedDelay.Seconds);
    }
}
