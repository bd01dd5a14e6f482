using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>Gateway snapshots (bookinfo-gateway) and the inbound policy / telemetry resolution of sidecars.</summary>
public sealed class GatewayAndPolicySnapshotTests
{
    [Fact]
    public void Bookinfo_gateway_serves_the_productpage_routes_on_its_http_server()
    {
        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs("bookinfo-gateway.yaml", "destination-rule-all.yaml"), BookinfoMesh.IngressGateway);

        var server = Assert.Single(snapshot.GatewayServers);
        Assert.Equal(("bookinfo-gateway.default/http", 8080u, Protocol.Http), (server.Name, server.Port, server.Protocol));
        Assert.Equal(["*"], server.Hosts);
        var virtualHost = Assert.Single(snapshot.VirtualHosts);
        Assert.Equal(["*"], virtualHost.Domains);
        Assert.Equal(("bookinfo-gateway.default/http", 8080u), (virtualHost.GatewayServer, virtualHost.Port));
        var route = Assert.Single(virtualHost.Routes);
        Assert.Equal(
            ["exact:/productpage", "prefix:/static", "exact:/login", "exact:/logout", "prefix:/api/v1/products"],
            route.Matches.Select(m => m.Uri.KindCase == StringMatch.KindOneofCase.Exact ? $"exact:{m.Uri.Exact}" : $"prefix:{m.Uri.Prefix}"));
        Assert.Equal("outbound|9080||productpage.default.svc.cluster.local", route.Route_.Clusters.Single().Cluster);
        var cluster = Assert.Single(snapshot.Clusters);
        Assert.Equal("10.0.0.1", cluster.Endpoints.Single().Address);
        Assert.Null(snapshot.Inbound);
    }

    [Fact]
    public void Gateway_without_matching_selector_or_binding_gets_nothing_and_sidecars_ignore_gateway_routes()
    {
        var other = BookinfoMesh.IngressGateway.Clone();
        other.Labels["istio"] = "egressgateway";

        Assert.Empty(SnapshotBuilder.Build(BookinfoMesh.Inputs("bookinfo-gateway.yaml"), other).GatewayServers);
        var sidecar = SnapshotBuilder.Build(BookinfoMesh.Inputs("bookinfo-gateway.yaml"), BookinfoMesh.ProductPage);
        Assert.All(sidecar.VirtualHosts, v => Assert.Equal("default", v.Routes.Single().Name));
    }

    [Fact]
    public void Gateway_domains_are_the_intersection_of_server_and_virtual_service_hosts()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 443, name: https, protocol: HTTPS}
                hosts: ["default/*.example.com"]
                tls: {mode: SIMPLE, credentialName: web-cert}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: shop, namespace: default}
            spec:
              hosts: [shop.example.com, other.org]
              gateways: [istio-system/web]
              http: [{route: [{destination: {host: productpage}}]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: elsewhere, namespace: team}
            spec:
              hosts: [team.example.com]
              gateways: [istio-system/web]
              http: [{route: [{destination: {host: productpage.default.svc.cluster.local}}]}]
            """);
        var inputs = BookinfoMesh.Inputs(objects) with
        {
            Settings = new MeshSettings { CredentialLookup = name => name == "web-cert" ? new TlsCredential("CERT", "KEY") : null },
        };

        var snapshot = SnapshotBuilder.Build(inputs, BookinfoMesh.IngressGateway);

        var virtualHost = Assert.Single(snapshot.VirtualHosts);
        Assert.Equal(["shop.example.com", "shop.example.com:443"], virtualHost.Domains);
        var tls = snapshot.GatewayServers.Single().Tls;
        Assert.Equal((GatewayTls.Types.Mode.Simple, "web-cert", "CERT", "KEY"), (tls.Mode, tls.CredentialName, tls.ServerCertificatePem, tls.PrivateKeyPem));
    }

    [Fact]
    public void Peer_authentication_resolves_workload_over_namespace_over_mesh_with_port_level_modes()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec: {mtls: {mode: STRICT}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: default}
            spec: {mtls: {mode: UNSET}}
            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: reviews, namespace: default}
            spec:
              selector: {matchLabels: {app: reviews}}
              mtls: {mode: PERMISSIVE}
              portLevelMtls:
                "9080": {mode: DISABLE}
            """);

        var ratings = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.Ratings).Inbound;
        var reviews = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ReviewsV1).Inbound;

        Assert.Equal(MtlsMode.Strict, ratings.Mtls); // namespace UNSET inherits the mesh-wide STRICT
        Assert.Empty(ratings.PortMtls);
        Assert.Equal(MtlsMode.Permissive, reviews.Mtls);
        Assert.Equal(MtlsMode.Disable, reviews.PortMtls[9080]);
    }

    [Fact]
    public void Authorization_and_jwt_policies_apply_by_namespace_and_selector()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny-all, namespace: istio-system}
            spec: {}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: reviews-viewer, namespace: default}
            spec:
              selector: {matchLabels: {app: reviews}}
              action: ALLOW
              rules:
              - from: [{source: {principals: ["cluster.local/ns/default/sa/bookinfo-productpage"], serviceAccounts: []}}]
                to: [{operation: {methods: [GET], paths: ["/reviews/*"]}}]
                when: [{key: "request.headers[x-user]", values: [jason]}]
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ratings-sa, namespace: default}
            spec:
              selector: {matchLabels: {app: ratings}}
              rules: [{from: [{source: {serviceAccounts: [default/bookinfo-reviews]}}]}]
            ---
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: default}
            spec:
              selector: {matchLabels: {app: reviews}}
              jwtRules:
              - issuer: testing@secure.istio.io
                jwksUri: https://example.com/jwks.json
                fromHeaders: [{name: x-jwt, prefix: "Bearer "}]
            """);

        var reviews = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ReviewsV1).Inbound;
        var ratings = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.Ratings).Inbound;

        Assert.Equal(["deny-all.istio-system", "reviews-viewer.default"], reviews.Authorization.Select(a => a.Name));
        Assert.False(reviews.Authorization[0].HasRules); // ALLOW with no rules: allows nothing
        var rule = reviews.Authorization[1].Rules.Single();
        Assert.Equal("cluster.local/ns/default/sa/bookinfo-productpage", rule.From.Single().Principals.Single());
        Assert.Equal(["/reviews/*"], rule.To.Single().Paths);
        Assert.Equal(("request.headers[x-user]", "jason"), (rule.When.Single().Key, rule.When.Single().Values.Single()));
        Assert.Equal(("testing@secure.istio.io", "jwt.default", "x-jwt"), (reviews.JwtRules.Single().Issuer, reviews.JwtRules.Single().Policy, reviews.JwtRules.Single().FromHeaders.Single().Name));

        Assert.Equal(["deny-all.istio-system", "ratings-sa.default"], ratings.Authorization.Select(a => a.Name));
        Assert.Equal("cluster.local/ns/default/sa/bookinfo-reviews", ratings.Authorization[1].Rules.Single().From.Single().Principals.Single());
        Assert.Empty(ratings.JwtRules);
    }

    [Fact]
    public void Telemetry_layers_root_then_namespace_then_workload()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: telemetry.istio.io/v1
            kind: Telemetry
            metadata: {name: mesh-default, namespace: istio-system}
            spec:
              tracing: [{randomSamplingPercentage: 10}]
              accessLogging: [{filter: {expression: "response.code >= 400"}}]
            ---
            apiVersion: telemetry.istio.io/v1
            kind: Telemetry
            metadata: {name: reviews, namespace: default}
            spec:
              selector: {matchLabels: {app: reviews}}
              tracing: [{randomSamplingPercentage: 100, customTags: {team: {literal: {value: books}}}}]
              metrics:
              - overrides:
                - match: {metric: REQUEST_COUNT}
                  tagOverrides: {request_protocol: {operation: REMOVE}}
            """);

        var ratings = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.Ratings).Telemetry;
        var reviews = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ReviewsV2).Telemetry;

        Assert.Equal((10.0, true, true, "response.code >= 400"), (ratings.SamplingPercentage, ratings.HasSampling, ratings.AccessLogEnabled, ratings.AccessLogFilter));
        Assert.Equal(100.0, reviews.SamplingPercentage);
        Assert.Equal(["team=books"], reviews.CustomTags);
        Assert.True(reviews.AccessLogEnabled);
        var metric = reviews.MetricOverrides.Single();
        Assert.Equal(("REQUEST_COUNT", "CLIENT_AND_SERVER", "request_protocol"), (metric.Metric, metric.Mode, metric.TagOverridesRemove.Single()));
    }

    [Fact]
    public void Service_entries_add_external_services_with_dns_or_static_endpoints()
    {
        var objects = BookinfoMesh.Parse("""
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
            metadata: {name: legacy}
            spec:
              hosts: [legacy.internal]
              ports: [{number: 8080, name: http, protocol: HTTP}]
              resolution: STATIC
              location: MESH_INTERNAL
              endpoints:
              - {address: 127.0.0.2, labels: {version: v1}, serviceAccount: legacy}
            """);

        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage);

        var httpbin = snapshot.Cluster("outbound|80||httpbin.org");
        Assert.True(httpbin.External && httpbin.DnsResolution);
        Assert.Equal(("httpbin.org", 80u), (httpbin.Endpoints.Single().Address, httpbin.Endpoints.Single().Port));
        Assert.Equal(["httpbin.org", "httpbin.org:80"], snapshot.Host("httpbin.org:80").Domains);
        var legacy = snapshot.Cluster("outbound|8080||legacy.internal").Endpoints.Single();
        Assert.Equal(("127.0.0.2", "spiffe://cluster.local/ns/default/sa/legacy", true), (legacy.Address, legacy.Identity, legacy.Mtls));
    }
}
