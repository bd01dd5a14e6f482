using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Model.MeshConfiguration;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>
/// Istio's mesh config (the ConfigMap istio's <c>mesh</c> key): the External Authorization task's
/// files as written, errors inside the embedded YAML with the file's line and a field path under
/// <c>data.mesh</c>, MeshConfig fields Mesh does not implement refused by name, and CUSTOM policies
/// checked against the providers it defines.
/// </summary>
public sealed class MeshConfigTests
{
    private static readonly string ExtAuthzSamples = Path.Combine(RepositoryFiles.Root, "samples", "extauthz");

    private const string Policy = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ext-authz}\nspec:\n  action: CUSTOM\n  provider: {name: PROVIDER}\n  rules: [{to: [{operation: {paths: [/headers]}}]}]\n";

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ExtAuthzSamples, name));

    private static List<string> Errors(string yaml) =>
        [.. ConfigValidator.ValidateParsed(ConfigParser.Parse(yaml, "f.yaml")).Select(e => e.ToString())];

    [Fact]
    public void The_tasks_mesh_config_fragment_is_the_ConfigMap_istio_with_its_providers()
    {
        var parsed = ConfigParser.Parse(Sample("mesh-config-extension-providers.yaml"), "mesh-config-extension-providers.yaml");

        Assert.Empty(parsed.Errors);
        var configMap = Assert.Single(parsed.Objects);
        Assert.Equal(("ConfigMap", "istio", "istio-system"), (configMap.Kind, configMap.Metadata.Name, configMap.Metadata.Namespace));
        var providers = ((IstioMeshConfigMap)configMap.Spec).Mesh.ExtensionProviders;
        Assert.Equal(["sample-ext-authz-grpc", "sample-ext-authz-http"], providers.Select(p => p.Name));
        Assert.Equal(("ext-authz.foo.svc.cluster.local", 9000u), (providers[0].EnvoyExtAuthzGrpc!.Service, providers[0].EnvoyExtAuthzGrpc!.Port));
        Assert.Equal(["x-ext-authz"], providers[1].EnvoyExtAuthzHttp!.IncludeRequestHeadersInCheck);
    }

    [Fact]
    public void The_tasks_files_validate_together()
    {
        var yaml = string.Join("---\n", new[] { "mesh-config-extension-providers.yaml", "authorization-policy-ext-authz.yaml" }.Select(Sample));

        Assert.Empty(Errors(yaml));
        var oauth2 = ConfigParser.Parse(Sample("mesh-config-oauth2-proxy.yaml"), "oauth2.yaml");
        Assert.Empty(ConfigValidator.ValidateParsed(oauth2));
        var http = ((IstioMeshConfigMap)oauth2.Objects[0].Spec).Mesh.ExtensionProviders[0].EnvoyExtAuthzHttp!;
        Assert.Equal(["set-cookie"], http.HeadersToDownstreamOnAllow);
        Assert.Equal(["content-type", "set-cookie"], http.HeadersToDownstreamOnDeny);
    }

    [Fact]
    public void A_CUSTOM_policy_naming_an_unknown_provider_is_refused_with_its_field_path()
    {
        var errors = Errors(Sample("mesh-config-extension-providers.yaml") + "---\n" + Policy.Replace("PROVIDER", "my-authz", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.Contains("(document 2, line 20) AuthorizationPolicy/ext-authz: spec.provider.name: extension provider \"my-authz\" is not defined in the mesh config", error, StringComparison.Ordinal);
        Assert.Contains("defined: sample-ext-authz-grpc, sample-ext-authz-http", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CUSTOM_policy_without_a_provider_and_a_provider_without_CUSTOM_are_refused()
    {
        Assert.Contains(Errors(Policy.Replace("  provider: {name: PROVIDER}\n", "", StringComparison.Ordinal)), e => e.Contains("spec.provider: a CUSTOM policy must name its provider", StringComparison.Ordinal));
        Assert.Contains(Errors(Policy.Replace("CUSTOM", "ALLOW", StringComparison.Ordinal)), e => e.Contains("spec.provider: provider is only used with action CUSTOM", StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_inside_the_mesh_text_have_the_files_line_and_a_data_mesh_path()
    {
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n    accessLogFile: /dev/stdout\n    extensionProviders:\n    - name: a\n      envoyExtAuthzGrpc:\n        service: ext-authz.foo.svc.cluster.local\n        port: nine\n    - name: b\n      zipkin: {service: zipkin.istio-system, port: 9411}\n    - name: c\n      envoyExtAuthzHttp: {service: x.foo.svc.cluster.local, port: 8000, pathPrefix: check, statusOnError: \"700\"}\n";

        var errors = Errors(yaml);

        Assert.Contains("f.yaml (document 1, line 6) ConfigMap/istio: data.mesh.accessLogFile: accessLogFile is not supported: use the Telemetry resource (docs/telemetry.md)", errors);
        Assert.Contains(errors, e => e.StartsWith("f.yaml (document 1, line 11) ConfigMap/istio: data.mesh.extensionProviders[0].envoyExtAuthzGrpc.port: expected an integer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("f.yaml (document 1, line 13) ConfigMap/istio: data.mesh.extensionProviders[1].zipkin: zipkin is not supported", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("data.mesh.extensionProviders[2].envoyExtAuthzHttp.pathPrefix: pathPrefix must begin with \"/\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("data.mesh.extensionProviders[2].envoyExtAuthzHttp.statusOnError: statusOnError must be an HTTP status code", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: my-app-settings}\ndata: {mesh: \"{}\"}\n", "metadata.name: Mesh reads only Istio's mesh config")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata: {mesh: \"{}\"}\n", "metadata.namespace: Istio's mesh config lives in istiod's namespace \"istio-system\"")]
    [InlineData("data:\n  mesh: |-\n    extensionProviders:\n    - name: a\n    - name: a\n      envoyExtAuthzGrpc: {service: a.b.svc.cluster.local, port: 9000}\n", "data.mesh.extensionProviders[0]: an extension provider needs one provider")]
    [InlineData("data:\n  mesh: |-\n    extensionProviders:\n    - name: a\n      envoyExtAuthzGrpc: {port: 9000}\n", "data.mesh.extensionProviders[0].envoyExtAuthzGrpc.service: service is required")]
    [InlineData("data:\n  mesh: |-\n    extensionProviders: [{name: a, envoyExtAuthzGrpc: {service: a, port: 9000}}, {name: a, envoyExtAuthzGrpc: {service: a, port: 9000}}]\n", "data.mesh.extensionProviders[1].name: duplicate extension provider name \"a\"")]
    [InlineData("data:\n  mesh: |-\n    nosuchField: 1\n", "data.mesh.nosuchField: unknown field \"nosuchField\"")]
    [InlineData("data:\n  mesh: |-\n    outboundTrafficPolicy: {mode: DENY_ALL}\n", "(document 1, line 3) ConfigMap/istio: data.mesh.outboundTrafficPolicy.mode:")]
    [InlineData("data:\n  mesh: |-\n    outboundTrafficPolicy:\n      mode: ALLOW_ANY\n      egressProxy: {host: egress}\n", "(document 1, line 5) ConfigMap/istio: data.mesh.outboundTrafficPolicy.egressProxy: unknown field \"egressProxy\"")]
    [InlineData("data:\n  meshNetworks: |-\n    networks:\n      net-b:\n        endpoints: [{fromCidr: 10.1.0.0/99}]\n        gateways: [{address: 1.2.3.4}]\n", "data.meshNetworks.networks.net-b.endpoints[0].fromCidr: 10.1.0.0/99 is not a valid CIDR block")]
    [InlineData("data:\n  meshNetworks: |-\n    networks:\n      net-b:\n        gateways: [{address: 1.2.3.4}]\n", "data.meshNetworks.networks.net-b.gateways[0].port: port must be between 1 and 65535, got none")]
    [InlineData("data:\n  meshNetworks: |-\n    networks:\n      net-b:\n        gateways: [{address: 1.2.3.4, registryServiceName: a.b.svc.cluster.local, port: 15443}]\n", "data.meshNetworks.networks.net-b.gateways[0]: exactly one of address or registryServiceName must be set")]
    [InlineData("data:\n  meshNetworks: |-\n    networks:\n      net-b:\n        gateways: [{adress: 1.2.3.4, port: 15443}]\n", "data.meshNetworks.networks.net-b.gateways[0].adress: unknown field \"adress\"")]
    public void Invalid_mesh_configs_are_refused(string yaml, string expected) =>
        Assert.Contains(Errors(yaml), e => e.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void The_mesh_wide_outbound_traffic_policy_is_read()
    {
        const string yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n    outboundTrafficPolicy:\n      mode: REGISTRY_ONLY\n";

        var parsed = ConfigParser.Parse(yaml, "f.yaml");

        Assert.Empty(Errors(yaml));
        Assert.Equal(Model.Networking.OutboundTrafficPolicyMode.RegistryOnly, ((IstioMeshConfigMap)parsed.Objects[0].Spec).Mesh.OutboundTrafficPolicy!.Mode);
    }

    [Fact]
    public void The_mesh_config_is_written_back_as_it_was_read()
    {
        var original = ConfigParser.Parse(Sample("mesh-config-oauth2-proxy.yaml"), "o.yaml").Objects[0];

        var reread = Assert.Single(ConfigParser.Parse(ConfigSerializer.ToYaml(original), "again.yaml").Objects);

        Assert.Equal(original.Spec, reread.Spec);
        Assert.Equal(original.Metadata.Name, reread.Metadata.Name);
        Assert.Equal("ConfigMap", ConfigKinds.MeshConfigMap.Kind);
    }
}
