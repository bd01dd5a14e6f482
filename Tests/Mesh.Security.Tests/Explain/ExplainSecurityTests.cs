using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mesh.Security.Tests.Authorization;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Explain;

/// <summary>
/// The security half of explain (the control plane's <c>/api/v1/explain</c>, the proxies'
/// <c>/explain</c>) against what ratings' sidecar really does: JWT verdicts, ALLOW policies with
/// the rule that matched, and STRICT mTLS refusing a plaintext caller.
/// </summary>
public sealed class ExplainSecurityTests(AuthorizationMesh mesh) : IClassFixture<AuthorizationMesh>, IDisposable
{
    private const string Issuer = "testing@secure.istio.io";
    private readonly TestJwtIssuer _issuer = new(Issuer);

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Jwt_and_allow_policies_are_explained_as_ratings_enforces_them()
    {
        await using var _ = await mesh.ApplyAsync($$$"""
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata:
              name: jwt
              namespace: default
            spec:
              selector: {matchLabels: {app: ratings}}
              jwtRules:
              - issuer: "{{{Issuer}}}"
                jwks: '{{{_issuer.Jwks}}}'
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: users-only
              namespace: default
            spec:
              selector: {matchLabels: {app: ratings}}
              action: ALLOW
              rules:
              - to: [{operation: {paths: [/health]}}]
              - from: [{source: {requestPrincipals: ["{{{Issuer}}}/*"]}}]
            """);

        var expired = _issuer.Token(expires: DateTimeOffset.UtcNow.AddMinutes(-5));
        var rejected = await InboundAsync(expired);
        Assert.Equal("invalid", rejected["result"]!["jwt"]!.GetValue<string>());
        Assert.Equal(401, rejected["outcome"]!["status"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(expired));

        var valid = await InboundAsync(_issuer.Token());
        Assert.Equal("valid", valid["result"]!["jwt"]!.GetValue<string>());
        Assert.Equal($"{Issuer}/testing@secure.istio.io", valid["result"]!["request_principal"]!.GetValue<string>());
        Assert.Equal("ALLOW", valid["result"]!["authorization"]!.GetValue<string>());
        Assert.Equal("users-only.default", valid["result"]!["policy"]!.GetValue<string>());
        Assert.Equal("1", valid["result"]!["rule"]!.GetValue<string>());
        Assert.True(valid["outcome"]!["forwarded"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, await CallAsync(_issuer.Token()));

        var anonymous = await InboundAsync(null);
        Assert.Equal("none", anonymous["result"]!["jwt"]!.GetValue<string>());
        Assert.Equal("DENY", anonymous["result"]!["authorization"]!.GetValue<string>());
        Assert.False(anonymous["result"]!.AsObject().ContainsKey("policy"), "no ALLOW policy matched: nothing names a policy");
        Assert.Contains("ALLOW policies exist and none matches", anonymous.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(null));
    }

    [Fact]
    public async Task Strict_mtls_is_explained_on_the_inbound_hop_and_for_a_plaintext_caller()
    {
        const string strict = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: ratings-strict
              namespace: default
            spec:
              selector: {matchLabels: {app: ratings}}
              mtls: {mode: STRICT}
            """;
        await mesh.ControlPlane.ApplyAsync(strict);
        try
        {
            await mesh.Ratings.WaitForSnapshotAsync("STRICT", s => s.Inbound.Mtls == Mesh.Contracts.Snapshots.MtlsMode.Strict);
            await AssertStrictExplainedAsync();
        }
        finally
        {
            await mesh.ControlPlane.DeleteAsync(strict);
            await mesh.Ratings.WaitForSnapshotAsync("PERMISSIVE again", s => s.Inbound.Mtls != Mesh.Contracts.Snapshots.MtlsMode.Strict);
        }
    }

    private async Task AssertStrictExplainedAsync()
    {
        // Through the mesh: productpage dials ratings with mesh mTLS, which STRICT accepts.
        var meshed = await InboundAsync(null);
        Assert.Equal("STRICT", meshed["result"]!["inbound_mtls_mode"]!.GetValue<string>());
        Assert.Equal("cluster.local/ns/default/sa/bookinfo-productpage", meshed["result"]!["source_principal"]!.GetValue<string>());
        Assert.True(meshed["outcome"]!["forwarded"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, await CallAsync(null));

        // A plaintext caller (asked of ratings' own /explain): refused, as the real plaintext request is.
        using var admin = TestHttp.CreateClient(pooled: false);
        using var response = await admin.PostAsJsonAsync(TestHttp.Local(mesh.Ratings.AdminPort, "/explain"), new { url = "http://ratings:9080/ratings/1", direction = "inbound" });
        var plaintext = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("plaintext connection refused (STRICT mTLS)", plaintext["outcome"]!["reason"]!.GetValue<string>());
        await Assert.ThrowsAsync<HttpRequestException>(() => admin.GetAsync(mesh.Ratings.Inbound(pathAndQuery: "/ratings/1")));

        // Bad input is a 400 naming the field.
        using var bad = await admin.PostAsync(TestHttp.Local(mesh.Ratings.AdminPort, "/explain"), new StringContent("""{"url": "not a url"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("url: 'not a url' is not an absolute http(s) URL", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The inbound half at ratings of productpage's GET /ratings/1, as the control plane explains it.</summary>
    private async Task<JsonNode> InboundAsync(string? token)
    {
        var headers = new JsonArray();
        if (token is not null)
        {
            headers.Add(new JsonObject { ["name"] = "authorization", ["value"] = "Bearer " + token });
        }

        var body = new JsonObject { ["from"] = "productpage", ["url"] = "http://ratings:9080/ratings/1", ["headers"] = headers };
        using var response = await mesh.ControlPlane.Admin.PostAsync("/api/v1/explain", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var hop = Assert.Single(JsonNode.Parse(text)!["inbound"]!.AsArray())!;
        Assert.Equal("ratings-v1", hop["workload"]!.GetValue<string>());
        Assert.Equal("ISTIO_MUTUAL", hop["mtls"]!.GetValue<string>());
        return hop["explanation"]!;
    }

    private async Task<HttpStatusCode> CallAsync(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, mesh.ProductPage.Outbound("ratings", "/ratings/1"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await mesh.Client.SendAsync(request);
        return response.StatusCode;
    }
}
