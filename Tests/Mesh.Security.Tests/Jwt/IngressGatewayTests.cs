using System.Net;
using System.Net.Http.Headers;
using Mesh.Security.Tests.Infrastructure;

namespace Mesh.Security.Tests.Jwt;

/// <summary>
/// Istio's end-user authentication at the ingress gateway: RequestAuthentication and an
/// AuthorizationPolicy requiring a request principal, both selecting istio: ingressgateway, while
/// the gateway reaches the workload over mTLS with its own identity. The policies are enforced before
/// the route's filters (a fault), as Envoy orders jwt_authn and RBAC before the fault filter.
/// </summary>
public sealed class IngressGatewayTests
{
    private const string Issuer = "testing@secure.istio.io";

    [Fact]
    public async Task The_gateway_requires_a_valid_JWT_and_calls_the_workload_with_its_own_identity()
    {
        using var issuer = new TestJwtIssuer(Issuer);
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var ratings = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("ratings"));
        await using var gateway = await IngressGateway.StartAsync(controlPlane);
        await controlPlane.ApplyAsync("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata:
              name: bookinfo-gateway
              namespace: default
            spec:
              selector:
                istio: ingressgateway
              servers:
              - port:
                  number: 80
                  name: http
                  protocol: HTTP
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: ratings
              namespace: default
            spec:
              hosts: ["*"]
              gateways: ["bookinfo-gateway"]
              http:
              - match:
                - uri:
                    prefix: /aborted
                fault:
                  abort:
                    httpStatus: 418
                    percentage:
                      value: 100
                route:
                - destination:
                    host: ratings
                    port:
                      number: 9080
              - route:
                - destination:
                    host: ratings
                    port:
                      number: 9080
            """);
        await gateway.WaitForSnapshotAsync("a route to ratings", s => s.Clusters.Any(c => c.Name.Contains("ratings", StringComparison.Ordinal) && c.Endpoints.Count > 0));
        using var client = TestHttp.CreateClient(pooled: false);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Gateway("/ratings/1"))).StatusCode);
        Assert.Equal((HttpStatusCode)418, (await client.GetAsync(gateway.Gateway("/aborted"))).StatusCode);
        Assert.Contains($"URI=spiffe://cluster.local/ns/default/sa/{IngressGateway.ServiceAccount}", ratings.App!.Last.Headers["x-forwarded-client-cert"], StringComparison.Ordinal);

        await controlPlane.ApplyAsync($"""
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata:
              name: jwt-example
              namespace: istio-system
            spec:
              selector:
                matchLabels:
                  istio: ingressgateway
              jwtRules:
              - issuer: "{Issuer}"
                jwks: '{issuer.Jwks}'
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata:
              name: frontend-ingress
              namespace: istio-system
            spec:
              selector:
                matchLabels:
                  istio: ingressgateway
              action: DENY
              rules:
              - from:
                - source:
                    notRequestPrincipals: ["*"]
                to:
                - operation:
                    ports: ["80"]
                    notPaths: ["/healthz"]
            """);
        await gateway.WaitForSnapshotAsync("the policies", s => s.Inbound?.JwtRules.Count == 1 && s.Inbound.Authorization.Count == 1);

        var anonymous = await client.GetAsync(gateway.Gateway("/ratings/1"));
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal("RBAC: access denied", await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(gateway.Gateway("/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, gateway.Gateway("/ratings/1"), issuer.Token())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, gateway.Gateway("/ratings/1"), issuer.Token(expires: DateTimeOffset.UtcNow.AddHours(-1)))).StatusCode);

        // As Envoy runs jwt_authn and RBAC before the fault filter: a refused request is not faulted.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(gateway.Gateway("/aborted"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, gateway.Gateway("/aborted"), issuer.Token(expires: DateTimeOffset.UtcNow.AddHours(-1)))).StatusCode);
        Assert.Equal((HttpStatusCode)418, (await SendAsync(client, gateway.Gateway("/aborted"), issuer.Token())).StatusCode);
        Assert.Empty(ratings.Snapshot!.Inbound.JwtRules);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, Uri uri, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
