using System.Net;
using System.Text.Json.Nodes;
using Mesh.Config.Model;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// Kubernetes mode with the Gateway API: the control plane watches its kinds beside Istio's (an
/// Istio Gateway and a Gateway API Gateway of the same name both apply) and writes the spec's
/// status to the API server — Gateway conditions and listeners, a route's parents with the
/// reason it is not fully resolved, other controllers' parent entries kept.
/// </summary>
public sealed class GatewayApiKubernetesTests
{
    private const string IstioGateway = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: bookinfo-gateway, namespace: default}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        """;

    private const string Gateway = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: bookinfo-gateway, namespace: default}
        spec:
          gatewayClassName: istio
          listeners:
          - {name: http, port: 80, protocol: HTTP}
        """;

    private const string Route = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: bookinfo, namespace: default}
        spec:
          parentRefs: [{name: bookinfo-gateway}]
          rules:
          - backendRefs: [{name: no-such-service, port: 9080}]
        """;

    [Fact]
    public async Task Gateway_API_objects_are_watched_and_get_the_specs_status_on_the_API_server()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(ConfigKinds.Gateway, IstioGateway);
        api.Apply(ConfigKinds.KubernetesGateway, Gateway);
        api.Apply(ConfigKinds.HttpRoute, Route);
        // Another controller's entry in the route's status stays.
        api.SetStatus(ConfigKinds.HttpRoute, "default", "bookinfo", new JsonObject
        {
            ["parents"] = new JsonArray(new JsonObject
            {
                ["controllerName"] = "example.com/other-controller",
                ["parentRef"] = new JsonObject { ["name"] = "other-gateway" },
                ["conditions"] = new JsonArray(),
            }),
        });
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        await Poll.ForAsync("/readyz answering 200", async () => (await controlPlane.Admin.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK);

        var entries = controlPlane.Store().Current.Entries;
        Assert.Contains("Gateway/default/bookinfo-gateway", entries.Keys);
        Assert.Contains("Gateway.gateway.networking.k8s.io/default/bookinfo-gateway", entries.Keys);
        Assert.Equal("kubernetes/default/gateways.gateway.networking.k8s.io/bookinfo-gateway", entries["Gateway.gateway.networking.k8s.io/default/bookinfo-gateway"].Source);

        // The route: our parent entry with ResolvedRefs False (BackendNotFound), the other controller's kept.
        var parents = await Poll.ForAsync(
            "two parent entries in the route's status",
            () => Task.FromResult(api.Get(ConfigKinds.HttpRoute, "default", "bookinfo")?["status"]?["parents"] as JsonArray),
            p => p is { Count: 2 }) ?? throw new InvalidOperationException("no parents");
        Assert.Equal(["example.com/other-controller", "istio.io/gateway-controller"], parents.Select(p => p!["controllerName"]!.GetValue<string>()));
        var resolved = Condition(parents[1]!["conditions"], "ResolvedRefs");
        Assert.Equal(("False", "BackendNotFound", 1L), (resolved["status"]!.GetValue<string>(), resolved["reason"]!.GetValue<string>(), resolved["observedGeneration"]!.GetValue<long>()));

        // The Gateway: accepted, not programmed until a proxy with its label connects; its listener counts the route.
        var status = await Poll.ForAsync(
            "conditions in the Gateway's status",
            () => Task.FromResult(api.Get(ConfigKinds.KubernetesGateway, "default", "bookinfo-gateway")?["status"]),
            s => s?["conditions"] is JsonArray);
        Assert.Equal("True", Condition(status!["conditions"], "Accepted")["status"]!.GetValue<string>());
        Assert.Equal(("False", "Pending"), (Condition(status["conditions"], "Programmed")["status"]!.GetValue<string>(), Condition(status["conditions"], "Programmed")["reason"]!.GetValue<string>()));
        Assert.Equal(1, status["listeners"]![0]!["attachedRoutes"]!.GetValue<int>());

        // Istio's Gateway keeps Istio's Accepted condition.
        Assert.Equal("True", (await Poll.ForAsync("an Accepted condition on Istio's Gateway", () => api.AcceptedCondition(ConfigKinds.Gateway, "default", "bookinfo-gateway"), c => c.Status is not null)).Status);

        // Written once each: a status that says the same is not written again.
        Assert.Single(api.StatusPatches, p => p == "httproutes.gateway.networking.k8s.io/default/bookinfo");
    }

    private static JsonObject Condition(JsonNode? conditions, string type) =>
        Assert.Single(conditions!.AsArray(), c => c!["type"]!.GetValue<string>() == type)!.AsObject();
}
