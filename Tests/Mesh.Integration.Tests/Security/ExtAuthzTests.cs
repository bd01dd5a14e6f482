using System.Net;
using Mesh.Integration.Tests.L4;

namespace Mesh.Integration.Tests.Security;

/// <summary>
/// AuthorizationPolicy CUSTOM with Istio's task files' providers against Istio's sample authorizer
/// (the C# port), over real sockets: the proxy asks the authorizer before DENY/ALLOW, only for the
/// requests the CUSTOM policy selects, through the mesh (mTLS to the authorizer's sidecar).
/// </summary>
public sealed class ExtAuthzTests
{
    private const string Denied = "denied by ext_authz for not found header `x-ext-authz: allow` in the request";

    // Istio's mesh config fragment (samples/extauthz/mesh-config-extension-providers.yaml) with
    // the authorizer in namespace default, where the test's workloads register.
    private const string MeshConfig = """
        data:
          mesh: |-
            extensionProviders:
            - name: "sample-ext-authz-grpc"
              envoyExtAuthzGrpc:
                service: "ext-authz.default.svc.cluster.local"
                port: "9000"
            - name: "sample-ext-authz-http"
              envoyExtAuthzHttp:
                service: "ext-authz.default.svc.cluster.local"
                port: "8000"
                includeRequestHeadersInCheck: ["x-ext-authz"]
                headersToUpstreamOnAllow: ["x-ext-authz-check-result"]
            - name: "nowhere"
              envoyExtAuthzHttp:
                service: "nowhere.default.svc.cluster.local"
                port: "8000"
                failOpen: true
        """;

    private static string Policies(string provider) => $"""
        {MeshConfig}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: ext-authz
        spec:
          selector:
            matchLabels:
              app: httpbin
          action: CUSTOM
          provider:
            name: {provider}
          rules:
          - to:
            - operation:
                paths: ["/headers", "/denied"]
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: deny-denied
        spec:
          selector:
            matchLabels:
              app: httpbin
          action: DENY
          rules:
          - to:
            - operation:
                paths: ["/denied"]
        """;

    [Theory]
    [InlineData("sample-ext-authz-grpc")]
    [InlineData("sample-ext-authz-http")]
    public async Task The_authorizer_decides_the_requests_the_CUSTOM_policy_selects(string provider)
    {
        await using var mesh = await ExtAuthzMesh.StartAsync(Policies(provider));

        var (status, body, response) = await mesh.GetAsync("/headers", "deny");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(Denied, body);
        Assert.Equal("denied", response.Headers.GetValues("x-ext-authz-check-result").Single());

        (status, body, _) = await mesh.GetAsync("/headers", "allow");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("x-ext-authz-check-result: allowed", body, StringComparison.Ordinal);

        // Not selected by the CUSTOM policy: never sent to the authorizer.
        (status, body, _) = await mesh.GetAsync("/ip", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("x-ext-authz-check-result", body, StringComparison.Ordinal);

        // Allowed by the authorizer, the request still meets the DENY policy (ext_authz runs before rbac).
        (status, body, _) = await mesh.GetAsync("/denied", "allow");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("RBAC: access denied", body);
    }

    // Istio's task (docs/ext-authz-task.md): its files unchanged — the providers name
    // ext-authz.foo.svc.cluster.local; the policy, which the task applies with `kubectl apply -n foo`,
    // gets namespace foo as the page's meshctl step gives it.
    [Fact]
    public async Task Istio_task_files_work_unchanged_with_httpbin_and_the_authorizer_in_namespace_foo()
    {
        var samples = Path.Combine(TcpEchoMesh.RepositoryRoot, "samples", "extauthz");
        var providers = await File.ReadAllTextAsync(Path.Combine(samples, "mesh-config-extension-providers.yaml"));
        var policy = (await File.ReadAllTextAsync(Path.Combine(samples, "authorization-policy-ext-authz.yaml")))
            .Replace("metadata:\n", "metadata:\n  namespace: foo\n", StringComparison.Ordinal);
        await using var mesh = await ExtAuthzMesh.StartAsync($"{providers}\n---\n{policy}", "foo");

        var (status, body, _) = await mesh.GetAsync("/headers", "deny");
        Assert.Equal((HttpStatusCode.Forbidden, Denied), (status, body));
        (status, body, _) = await mesh.GetAsync("/headers", "allow");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("x-ext-authz-check-result: allowed", body, StringComparison.Ordinal);
        (status, body, _) = await mesh.GetAsync("/ip", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("x-ext-authz-check-result", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_whose_service_is_not_in_the_mesh_denies_even_with_failOpen()
    {
        await using var mesh = await ExtAuthzMesh.StartAsync(Policies("nowhere"));

        var (status, _, _) = await mesh.GetAsync("/headers", "allow");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        (status, _, _) = await mesh.GetAsync("/ip", "allow");
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
