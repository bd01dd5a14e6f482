using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests.GatewayApi;

/// <summary>
/// The Gateway API's <c>Gateway</c> shares its kind name with Istio's: the apiVersion decides which
/// a document is, both live side by side under distinct keys, and names resolve as istioctl and
/// kubectl resolve them.
/// </summary>
public sealed class GatewayApiKindTests
{
    private const string BothGateways = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: bookinfo-gateway
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: bookinfo-gateway
        spec:
          gatewayClassName: istio
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """;

    [Fact]
    public void Istio_and_Gateway_API_gateways_of_one_name_are_different_objects()
    {
        var parsed = ConfigParser.Parse(BothGateways, "gateways.yaml");

        Assert.True(parsed.Succeeded);
        Assert.Equal(["Gateway/default/bookinfo-gateway", "Gateway.gateway.networking.k8s.io/default/bookinfo-gateway"], parsed.Objects.Select(o => o.Key));
        Assert.Empty(ConfigValidator.Validate(parsed.Objects));
        var model = new MeshModel(1, [.. parsed.Objects]);
        Assert.Single(model.Gateways);
        Assert.Single(model.KubernetesGateways);
    }

    [Fact]
    public void A_serialized_Gateway_API_gateway_says_kind_Gateway()
    {
        var gateway = ConfigParser.Parse(BothGateways, "gateways.yaml").Objects[1];

        var yaml = ConfigSerializer.ToYaml(gateway);

        Assert.Contains("kind: Gateway\n", yaml, StringComparison.Ordinal);
        Assert.Contains("apiVersion: gateway.networking.k8s.io/v1\n", yaml, StringComparison.Ordinal);
        Assert.Equal(gateway.Key, ConfigParser.Parse(yaml, "again").Objects[0].Key);
    }

    [Theory]
    [InlineData("gateway", "Gateway")]
    [InlineData("gw", "Gateway")]
    [InlineData("gateways.networking.istio.io", "Gateway")]
    [InlineData("gtw", "Gateway.gateway.networking.k8s.io")]
    [InlineData("gateways.gateway.networking.k8s.io", "Gateway.gateway.networking.k8s.io")]
    [InlineData("Gateway.gateway.networking.k8s.io", "Gateway.gateway.networking.k8s.io")]
    [InlineData("httproutes", "HTTPRoute")]
    [InlineData("httproute", "HTTPRoute")]
    [InlineData("grpcroutes", "GRPCRoute")]
    [InlineData("gc", "GatewayClass")]
    [InlineData("refgrant", "ReferenceGrant")]
    [InlineData("tcproute", "TCPRoute")]
    [InlineData("tlsroutes.gateway.networking.k8s.io", "TLSRoute")]
    [InlineData("svc", "Service")]
    [InlineData("services", "Service")]
    public void Names_resolve_to_kinds(string text, string id)
    {
        Assert.True(ConfigKinds.TryParse(text, out var kind));
        Assert.Equal(id, kind.Id);
    }

    [Fact]
    public void A_GatewayClass_is_cluster_scoped()
    {
        var parsed = ConfigParser.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata:
              name: istio
              namespace: ignored
            spec:
              controllerName: istio.io/gateway-controller
            """, "class.yaml");

        Assert.True(parsed.Succeeded);
        Assert.Equal("GatewayClass//istio", parsed.Objects[0].Key);
        Assert.Empty(ConfigValidator.Validate(parsed.Objects));
        Assert.DoesNotContain("namespace", ConfigSerializer.ToYaml(parsed.Objects[0]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: {name: reviews-v1}\nspec: {ports: [{port: 9080}], selector: {app: reviews}}\n", "v1")]
    [InlineData("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t}\nspec: {rules: [{backendRefs: [{name: tcp-echo-v1, port: 9000}]}]}\n", "gateway.networking.k8s.io/v1alpha2")]
    [InlineData("apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: h}\nspec: {}\n", "gateway.networking.k8s.io/v1beta1")]
    [InlineData("apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: ReferenceGrant\nmetadata: {name: g}\nspec: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a}], to: [{group: \"\", kind: Service}]}\n", "gateway.networking.k8s.io/v1alpha2")]
    public void Older_and_core_api_versions_are_accepted(string yaml, string apiVersion)
    {
        var parsed = ConfigParser.Parse(yaml, "x.yaml");

        Assert.Empty(parsed.Errors.Select(e => e.ToString()));
        Assert.Equal(apiVersion, parsed.Objects[0].ApiVersion);
        Assert.Empty(ConfigValidator.Validate(parsed.Objects).Select(e => e.ToString()));
    }

    [Fact]
    public void An_unknown_field_is_named_with_its_path()
    {
        var parsed = ConfigParser.Parse("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: h}
            spec:
              rules:
              - backendRefs: [{name: reviews, port: 9080, wieght: 10}]
            """, "route.yaml");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("spec.rules[0].backendRefs[0].wieght", error.Path);
        Assert.Contains("unknown field \"wieght\"", error.Message, StringComparison.Ordinal);
    }
}
