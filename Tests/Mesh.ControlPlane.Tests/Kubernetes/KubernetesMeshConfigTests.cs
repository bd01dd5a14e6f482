using System.Net;
using Mesh.Config.Model;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// Istio's mesh config on a cluster: the control plane watches the ConfigMap <c>istio</c> of its
/// own namespace (as istiod does), so a CUSTOM AuthorizationPolicy's provider defined there is
/// known, and a change to the ConfigMap reaches the configuration without a restart.
/// </summary>
public sealed class KubernetesMeshConfigTests
{
    private const string Policy = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: ext-authz, namespace: default}
        spec:
          selector: {matchLabels: {app: httpbin}}
          action: CUSTOM
          provider: {name: sample-ext-authz-http}
          rules:
          - to:
            - operation: {paths: ["/headers"]}
        """;

    private const string Mesh = """
        extensionProviders:
        - name: sample-ext-authz-http
          envoyExtAuthzHttp:
            service: ext-authz.foo.svc.cluster.local
            port: 8000
            includeRequestHeadersInCheck: ["x-ext-authz"]
        """;

    private const string PolicyKey = "AuthorizationPolicy/default/ext-authz";

    [Fact]
    public async Task A_provider_defined_in_the_istio_config_map_makes_a_custom_policy_valid()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(ConfigKinds.AuthorizationPolicy, Policy);
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        await Poll.ForAsync("/readyz answering 200", async () => (await controlPlane.Admin.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK);

        // Without the mesh config the provider is unknown: the policy is refused, with the reason.
        var refused = await Poll.ForAsync("the policy refused", () => controlPlane.Store().GetStatus().Rejected, r => r.Count > 0);
        Assert.Contains("sample-ext-authz-http", string.Join("\n", refused.SelectMany(r => r.Errors).Select(e => e.Message)), StringComparison.Ordinal);
        Assert.False(controlPlane.Store().Current.Entries.ContainsKey(PolicyKey));

        // Another ConfigMap of the namespace is not mesh configuration, and is not read as such.
        api.ApplyConfigMap("istio-system", "app-settings", new Dictionary<string, string> { ["mesh"] = "not: mesh config" });
        api.ApplyConfigMap("istio-system", "istio", new Dictionary<string, string> { ["mesh"] = Mesh });

        await Poll.ForAsync("the policy applied", () => controlPlane.Store().Current.Entries.ContainsKey(PolicyKey), applied => applied);
        var entries = controlPlane.Store().Current.Entries;
        Assert.Equal("kubernetes/istio-system/configmaps/istio", entries["ConfigMap/istio-system/istio"].Source);
        Assert.DoesNotContain(entries.Keys, key => key.Contains("app-settings", StringComparison.Ordinal));
        Assert.Empty(controlPlane.Store().GetStatus().Rejected);
    }
}
