using System.Net;
using System.Text.Json;
using Mesh.Integration.Tests.Infrastructure;

namespace Mesh.Integration.Tests.GatewayApi;

/// <summary>
/// A Gateway API Gateway and HTTPRoute applied to the control plane route a gateway proxy's
/// requests to the reviews workloads through their sidecars (mTLS), with the spec's path
/// semantics; the Gateway's status shows it programmed once its proxy is connected.
/// </summary>
public sealed class GatewayApiIngressTests
{
    private const string GatewayAndRoute = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: reviews-gateway}
        spec:
          gatewayClassName: istio
          listeners:
          - {name: http, port: 80, protocol: HTTP}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: reviews}
        spec:
          parentRefs: [{name: reviews-gateway}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /reviews}}]
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier: {set: [{name: x-via, value: gateway-api}]}
            backendRefs: [{name: reviews, port: 9080}]
          - matches: [{path: {type: Exact, value: /old}}]
            filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /reviews/0}}}]
          - matches: [{path: {type: PathPrefix, value: /missing}}]
            backendRefs: [{name: no-such-service, port: 9080}]
        """;

    [Fact]
    public async Task An_HTTPRoute_routes_the_gateways_traffic_to_the_workloads()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1");
        await using var gateway = await MeshProxies.StartGatewayAsync("reviews-gateway", "default", mesh.ControlPlane, 80);
        var generation = await mesh.ControlPlane.ApplyAsync(GatewayAndRoute);
        await mesh.ControlPlane.WaitForSyncedAtAsync("reviews-gateway-istio-0", generation);
        using var client = gateway.GatewayClient(80);

        using var routed = await client.GetAsync("/reviews/0");
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("reviews-v1", await routed.Content.ReadAsStringAsync());
        // The prefix /reviews is a path segment: /reviews matches, /reviewsx does not.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/reviews")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/reviewsx")).StatusCode);
        // No usable backend: 500, as the spec requires.
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/missing/1")).StatusCode);

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = client.BaseAddress };
        using var redirect = await noRedirect.GetAsync("/old");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal($"http://127.0.0.1:{gateway.GatewayPort(80)}/reviews/0", redirect.Headers.Location!.ToString());
    }

    [Fact]
    public async Task The_admin_api_shows_the_gateway_programmed_and_the_routes_problems()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1");
        await using var gateway = await MeshProxies.StartGatewayAsync("reviews-gateway", "default", mesh.ControlPlane, 80);
        var generation = await mesh.ControlPlane.ApplyAsync(GatewayAndRoute);
        await mesh.ControlPlane.WaitForSyncedAtAsync("reviews-gateway-istio-0", generation);

        using var gatewayStatus = JsonDocument.Parse(await mesh.ControlPlane.Admin.GetStringAsync("/api/v1/config/gtw/default/reviews-gateway"));
        var conditions = gatewayStatus.RootElement.GetProperty("status").GetProperty("conditions").EnumerateArray().ToDictionary(c => c.GetProperty("type").GetString()!);
        Assert.Equal("True", conditions["Programmed"].GetProperty("status").GetString());
        Assert.Contains("reviews-gateway-istio-0", conditions["Programmed"].GetProperty("message").GetString(), StringComparison.Ordinal);

        var yaml = await mesh.ControlPlane.Admin.GetStringAsync("/api/v1/config/httproute/default/reviews?format=yaml");
        Assert.Contains("controllerName: istio.io/gateway-controller", yaml, StringComparison.Ordinal);
        Assert.Contains("reason: BackendNotFound", yaml, StringComparison.Ordinal);
        Assert.Contains("backend(no-such-service.default.svc.cluster.local) not found", yaml, StringComparison.Ordinal);

        var (exitCode, output, error) = await mesh.MeshCtlAsync("get", "gtw", "reviews-gateway", "-o", "yaml");
        Assert.True(exitCode == 0, error);
        Assert.Contains("type: Programmed", output, StringComparison.Ordinal);

        // proxy-config names the object each route came from.
        (exitCode, output, error) = await mesh.MeshCtlAsync("proxy-config", "reviews-gateway-istio-0");
        Assert.True(exitCode == 0, error);
        Assert.Contains("ORIGIN", output, StringComparison.Ordinal);
        Assert.Contains("HTTPRoute/reviews.default", output, StringComparison.Ordinal);
    }
}
