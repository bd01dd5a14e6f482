using System.Net;

namespace Mesh.Security.Tests.Authorization;

/// <summary>
/// AuthorizationPolicy forms as Istio's security tasks use them, enforced by ratings' sidecar on
/// real requests: the identity comes from the caller's mTLS certificate; a plaintext caller has none.
/// </summary>
public sealed class AuthorizationPolicyTests(AuthorizationMesh mesh) : IClassFixture<AuthorizationMesh>
{
    private const HttpStatusCode Ok = HttpStatusCode.OK;
    private const HttpStatusCode Denied = HttpStatusCode.Forbidden;

    [Fact]
    public async Task Without_policies_everyone_is_allowed()
    {
        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync());
    }

    [Fact]
    public async Task Allow_nothing_denies_every_request()
    {
        await using var _ = await mesh.ApplyAsync(Policy("allow-nothing", "spec:\n  selector:\n    matchLabels:\n      app: ratings\n"));

        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync());
    }

    [Fact]
    public async Task Deny_all_denies_every_request()
    {
        await using var _ = await mesh.ApplyAsync(Policy("deny-all", "spec:\n  action: DENY\n  rules:\n  - {}\n"));

        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync());
    }

    [Fact]
    public async Task Ratings_GET_only_from_reviews()
    {
        await using var _ = await mesh.ApplyAsync(Policy("ratings-viewer", """
            spec:
              selector:
                matchLabels:
                  app: ratings
              action: ALLOW
              rules:
              - from:
                - source:
                    principals: ["cluster.local/ns/default/sa/bookinfo-reviews"]
                to:
                - operation:
                    methods: ["GET"]
            """));

        Assert.Equal((Ok, Denied, Denied), await mesh.CallAsync());
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync(method: HttpMethod.Post));
    }

    [Fact]
    public async Task Deny_plaintext_with_notPrincipals_star()
    {
        await using var _ = await mesh.ApplyAsync(Policy("require-mtls", """
            spec:
              action: DENY
              rules:
              - from:
                - source:
                    notPrincipals: ["*"]
            """));

        Assert.Equal((Ok, Ok, Denied), await mesh.CallAsync());
    }

    [Fact]
    public async Task Namespaces_and_wildcard_principals()
    {
        await using var _ = await mesh.ApplyAsync(Policy("same-namespace", """
            spec:
              rules:
              - from:
                - source:
                    namespaces: ["default"]
                    notPrincipals: ["cluster.local/ns/default/sa/bookinfo-product*"]
            """));

        Assert.Equal((Ok, Denied, Denied), await mesh.CallAsync());
    }

    [Fact]
    public async Task Any_source_of_a_rule_may_match()
    {
        await using var _ = await mesh.ApplyAsync(Policy("two-sources", """
            spec:
              rules:
              - from:
                - source:
                    principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]
                - source:
                    ipBlocks: ["127.0.0.1/32"]
                    requestPrincipals: ["*"]
            """));

        Assert.Equal((Denied, Ok, Denied), await mesh.CallAsync());
    }

    [Fact]
    public async Task Paths_methods_and_their_negations()
    {
        await using var _ = await mesh.ApplyAsync(Policy("paths", """
            spec:
              rules:
              - to:
                - operation:
                    paths: ["/ratings/*", "*.json"]
                    notPaths: ["/ratings/secret"]
                    notMethods: ["DELETE"]
            """));

        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync("/ratings/1?x=/secret"));
        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync("/data/all.json"));
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync("/health"));
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync("/ratings/secret"));
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync(method: HttpMethod.Delete));
    }

    [Fact]
    public async Task Hosts_and_ports()
    {
        await using var _ = await mesh.ApplyAsync(Policy("hosts", """
            spec:
              rules:
              - to:
                - operation:
                    hosts: ["ratings", "*.example.com"]
                    ports: ["9080"]
            """));

        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync(customize: r => r.Headers.Host = "ratings:9080"));
        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync(customize: r => r.Headers.Host = "RATINGS.example.com"));
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync(customize: r => r.Headers.Host = "details:9080"));
    }

    [Fact]
    public async Task Conditions_on_headers_source_ip_and_principal()
    {
        await using var _ = await mesh.ApplyAsync(Policy("conditions", """
            spec:
              rules:
              - when:
                - key: request.headers[X-Canary]
                  values: ["true", "yes*"]
                - key: source.ip
                  values: ["127.0.0.0/8"]
                  notValues: ["127.0.0.2"]
                - key: source.principal
                  notValues: ["cluster.local/ns/default/sa/bookinfo-productpage"]
            """));

        Assert.Equal((Ok, Denied, Ok), await mesh.CallAsync(customize: r => r.Headers.Add("x-canary", "yes please")));
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync(customize: r => r.Headers.Add("x-canary", "no")));
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync());
    }

    [Fact]
    public async Task Remote_ip_blocks_use_the_forwarded_client_address()
    {
        await using var _ = await mesh.ApplyAsync(Policy("remote", """
            spec:
              action: DENY
              rules:
              - from:
                - source:
                    remoteIpBlocks: ["203.0.113.0/24"]
            """));

        // remote.ip is the last X-Forwarded-For address (Envoy's sidecar rule); the callers' sidecars pass the header on.
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync(customize: r => r.Headers.Add("x-forwarded-for", "10.1.1.1, 203.0.113.7")));
        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync(customize: r => r.Headers.Add("x-forwarded-for", "203.0.113.7, 198.51.100.7")));
    }

    [Fact]
    public async Task Deny_is_evaluated_before_allow_and_audit_changes_nothing()
    {
        await using var _ = await mesh.ApplyAsync(Policy("allow-all", "spec:\n  rules:\n  - {}\n") + "---\n" + Policy("deny-admin", """
            spec:
              action: DENY
              rules:
              - to:
                - operation:
                    paths: ["/admin*"]
            """) + "---\n" + Policy("audit-all", "spec:\n  action: AUDIT\n  rules:\n  - {}\n"));

        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync());
        Assert.Equal((Denied, Denied, Denied), await mesh.CallAsync("/admin/users"));
    }

    [Fact]
    public async Task A_policy_for_another_workload_does_not_apply()
    {
        await using var _ = await mesh.ApplyAsync(
            Policy("ratings-open", "spec:\n  selector:\n    matchLabels:\n      app: ratings\n  rules:\n  - {}\n") + "---\n" +
            Policy("reviews-closed", "spec:\n  selector:\n    matchLabels:\n      app: reviews\n"),
            "ratings-open.default");

        Assert.Equal((Ok, Ok, Ok), await mesh.CallAsync());
    }

    private static string Policy(string name, string spec) =>
        $"apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: {name}\n  namespace: default\n{spec.TrimEnd()}\n";
}
