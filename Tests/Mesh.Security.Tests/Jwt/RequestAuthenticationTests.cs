using System.Net;
using System.Net.Http.Headers;
using Mesh.Security.Tests.Authorization;
using Mesh.Security.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Mesh.Security.Tests.Jwt;

/// <summary>
/// RequestAuthentication on ratings' sidecar with real RS256 tokens: valid tokens pass (and their
/// payload reaches the app), invalid ones get 401 with Envoy's reason, requests without a token
/// pass anonymously unless an AuthorizationPolicy requires a request principal or claims.
/// </summary>
public sealed class RequestAuthenticationTests(AuthorizationMesh mesh) : IClassFixture<AuthorizationMesh>, IDisposable
{
    private const string Issuer = "testing@secure.istio.io";
    private readonly TestJwtIssuer _issuer = new(Issuer);

    public void Dispose() => _issuer.Dispose();

    [Fact]
    public async Task Valid_tokens_pass_with_their_payload_and_invalid_ones_get_401()
    {
        await using var _ = await mesh.ApplyAsync(RequestAuthentication("jwt-example", $"""
              jwtRules:
              - issuer: "{Issuer}"
                jwks: '{_issuer.Jwks}'
                outputPayloadToHeader: x-jwt-payload
            """));
        using var impostor = new TestJwtIssuer(Issuer);
        var good = _issuer.Token();

        var ok = await CallAsync(bearer: good, extraHeader: ("x-jwt-payload", "forged"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var seen = mesh.Ratings.App!.Last;
        Assert.Equal(good.Split('.')[1], seen.Headers["x-jwt-payload"]);
        Assert.False(seen.Headers.ContainsKey("authorization"), "the token is not forwarded unless forwardOriginalToken");

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(bearer: null, extraHeader: ("x-jwt-payload", "forged"))).StatusCode);
        Assert.False(mesh.Ratings.App!.Last.Headers.ContainsKey("x-jwt-payload"), "a caller's own payload header is removed");

        await AssertUnauthorizedAsync(_issuer.Token(expires: DateTimeOffset.UtcNow.AddMinutes(-5)), "Jwt is expired");
        await AssertUnauthorizedAsync(_issuer.Token(issuer: "someone-else"), "Jwt issuer is not configured");
        await AssertUnauthorizedAsync(impostor.Token(), "Jwt verification fails");
        await AssertUnauthorizedAsync("not.a-jwt", "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");

        // Through the mesh too: productpage's request with a token is authenticated at ratings.
        using var request = new HttpRequestMessage(HttpMethod.Get, mesh.ProductPage.Outbound("ratings", "/ratings/1"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.Token(expires: DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await mesh.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Authorization_can_require_a_request_principal_and_claims()
    {
        await using var _ = await mesh.ApplyAsync(RequestAuthentication("jwt-example", $"""
              jwtRules:
              - issuer: "{Issuer}"
                jwks: '{_issuer.Jwks}'
            """) + "---\n" + $$"""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: require-jwt
              namespace: default
            spec:
              selector:
                matchLabels:
                  app: ratings
              rules:
              - from:
                - source:
                    requestPrincipals: ["{{Issuer}}/*"]
                when:
                - key: request.auth.claims[groups]
                  values: ["group1"]
                - key: request.auth.claims[nested][role]
                  notValues: ["banned"]
            """);

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(_issuer.Token(claims: new Dictionary<string, object> { ["groups"] = new[] { "group1", "group2" } }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(_issuer.Token(claims: new Dictionary<string, object> { ["groups"] = new[] { "group2" } }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(_issuer.Token(claims: new Dictionary<string, object>
        {
            ["groups"] = "group1",
            ["nested"] = new Dictionary<string, object> { ["role"] = "banned" },
        }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(bearer: null)).StatusCode);
    }

    [Fact]
    public async Task Audiences_custom_locations_forwarding_and_claim_headers()
    {
        await using var _ = await mesh.ApplyAsync(RequestAuthentication("jwt-locations", $"""
              jwtRules:
              - issuer: "{Issuer}"
                jwks: '{_issuer.Jwks}'
                audiences: ["ratings", "bookinfo"]
                fromHeaders:
                - name: x-token
                  prefix: "Token "
                fromParams: ["token"]
                forwardOriginalToken: true
                outputClaimToHeaders:
                - header: x-sub
                  claim: sub
            """));
        var token = _issuer.Token(audience: new[] { "bookinfo", "other" });

        var fromHeader = await CallAsync(bearer: null, extraHeader: ("x-token", "Token " + token));
        Assert.Equal(HttpStatusCode.OK, fromHeader.StatusCode);
        Assert.Equal("Token " + token, mesh.Ratings.App!.Last.Headers["x-token"]);
        Assert.Equal("testing@secure.istio.io", mesh.Ratings.App!.Last.Headers["x-sub"]);

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(bearer: null, query: "?token=" + token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(bearer: "ignored: Authorization is not a location of this rule")).StatusCode);
        var wrongAudience = await CallAsync(bearer: null, extraHeader: ("x-token", "Token " + _issuer.Token(audience: "other")));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
        Assert.Equal("Audiences in Jwt are not allowed", await wrongAudience.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Keys_named_by_jwksUri_are_fetched_once_and_cached()
    {
        var jwks = _issuer.Jwks;
        await using var server = await TestBackend.StartAsync("jwks", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(jwks);
        });
        await using var _ = await mesh.ApplyAsync(RequestAuthentication("jwt-remote", $"""
              jwtRules:
              - issuer: "{Issuer}"
                jwksUri: http://127.0.0.1:{server.Port}/.well-known/jwks.json
            """));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(_issuer.Token())).StatusCode);
        }

        await AssertUnauthorizedAsync(_issuer.Token(expires: DateTimeOffset.UtcNow.AddMinutes(-5)), "Jwt is expired");
        Assert.Single(server.Requests);
        Assert.Equal("/.well-known/jwks.json", server.Requests.Single().PathAndQuery);
    }

    private async Task AssertUnauthorizedAsync(string token, string reason)
    {
        var response = await CallAsync(token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(reason, await response.Content.ReadAsStringAsync());
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> CallAsync(string? bearer, (string Name, string Value)? extraHeader = null, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, mesh.Ratings.Inbound(pathAndQuery: "/ratings/1" + query));
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        if (extraHeader is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        var response = await mesh.Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string RequestAuthentication(string name, string rules) => $"""
        apiVersion: security.istio.io/v1
        kind: RequestAuthentication
        metadata:
          name: {name}
          namespace: default
        spec:
          selector:
            matchLabels:
              app: ratings
        {rules.TrimEnd()}

        """;
}
