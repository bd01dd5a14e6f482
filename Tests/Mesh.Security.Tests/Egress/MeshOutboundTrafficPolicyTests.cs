using System.Net;
using Mesh.Proxy.Core.Listeners;
using Mesh.Security.Tests.Infrastructure;
using Mesh.Testing.Proxy;

namespace Mesh.Security.Tests.Egress;

/// <summary>
/// The mesh-wide outbound traffic policy on real sockets: the real control plane, a sidecar whose
/// app sends its requests through the sidecar's HTTP proxy port, and a server the mesh does not
/// know. The mesh config's <c>outboundTrafficPolicy: {mode: REGISTRY_ONLY}</c> refuses it for
/// every sidecar (Envoy's BlackHoleCluster, 502, the server never asked); a Sidecar resource's own
/// policy overrides the mesh's; a Sidecar without one keeps the mesh's.
/// </summary>
public sealed class MeshOutboundTrafficPolicyTests
{
    private const string MeshRegistryOnly = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio, namespace: istio-system}
        data:
          mesh: |-
            outboundTrafficPolicy:
              mode: REGISTRY_ONLY

        """;

    private static string Sidecar(string spec) => $$"""
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: default}
        spec: {{spec}}

        """;

    [Fact]
    public async Task The_mesh_configs_REGISTRY_ONLY_refuses_unknown_destinations_unless_a_Sidecar_resource_allows_them()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync();
        await using var outside = await TestBackend.StartAsync("outside the mesh");
        await using var sidecar = await ProxyHost.StartAsync(ProxySettings.Sidecar(controlPlane.GrpcUri.ToString(), "productpage-1", "productpage-v1")
            .Identity("default", "bookinfo-productpage", ("app", "productpage"))
            .Token(SecureMesh.Token("bookinfo-productpage", "productpage-1"))
            .HttpProxy());
        using var app = TestHttp.CreateProxiedClient(sidecar.Port(ListenerKind.HttpProxy));
        var last = "";
        async Task<HttpStatusCode> CallAsync()
        {
            using var response = await app.GetAsync(outside.Url("/"));
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode;
        }

        // Istio's default: ALLOW_ANY passes the unknown destination through.
        await Poll.UntilAsync("the unknown server reached under ALLOW_ANY", async () => await CallAsync() == HttpStatusCode.OK, () => last);

        await controlPlane.ApplyAsync(MeshRegistryOnly);
        await Poll.UntilAsync("the mesh's REGISTRY_ONLY refusing it", async () => await CallAsync() == HttpStatusCode.BadGateway, () => last);
        var seen = outside.RequestCount;
        Assert.Equal(HttpStatusCode.BadGateway, await CallAsync());
        Assert.Equal(seen, outside.RequestCount);

        // The namespace's Sidecar resource sets its own policy: it wins over the mesh's.
        await controlPlane.ApplyAsync(Sidecar("{outboundTrafficPolicy: {mode: ALLOW_ANY}}"));
        await Poll.UntilAsync("the Sidecar's ALLOW_ANY overriding the mesh", async () => await CallAsync() == HttpStatusCode.OK, () => last);

        // A Sidecar that sets no policy keeps the mesh's.
        await controlPlane.ApplyAsync(Sidecar("{egress: [{hosts: [\"./*\"]}]}"));
        await Poll.UntilAsync("the mesh's REGISTRY_ONLY again under a Sidecar without a policy", async () => await CallAsync() == HttpStatusCode.BadGateway, () => last);
    }
}
