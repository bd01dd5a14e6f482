using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using Mode = Mesh.Contracts.Snapshots.OutboundTrafficPolicy.Types.Mode;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// Which outbound traffic policy a sidecar's snapshot carries, as Istio decides it: the Sidecar
/// resource's own <c>outboundTrafficPolicy</c> when it sets one, else the mesh config's
/// (<c>data.mesh.outboundTrafficPolicy</c> of the ConfigMap <c>istio</c>), else ALLOW_ANY.
/// </summary>
public sealed class OutboundTrafficPolicySnapshotTests
{
    private static string MeshConfig(string outboundTrafficPolicy) => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: istio, namespace: istio-system}
        data:
          mesh: |-
            outboundTrafficPolicy: {{outboundTrafficPolicy}}

        """;

    private static string Sidecar(string @namespace, string spec) => $$"""
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: {{@namespace}}}
        spec: {{spec}}

        """;

    private static Mode ModeOf(Node node, params string[] documents) =>
        SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(string.Join("---\n", documents))), node).OutboundTrafficPolicy.Mode;

    [Fact]
    public void Without_mesh_config_or_Sidecar_unknown_destinations_pass_through()
    {
        Assert.Equal(Mode.AllowAny, SnapshotBuilder.Build(BookinfoMesh.Inputs(), BookinfoMesh.ProductPage).OutboundTrafficPolicy.Mode);
        Assert.Equal(Mode.AllowAny, ModeOf(BookinfoMesh.ProductPage, MeshConfig("{}"))); // Istio's default mesh config: ALLOW_ANY
    }

    [Fact]
    public void The_mesh_configs_policy_applies_to_every_sidecar_without_a_policy_of_its_own()
    {
        var mesh = MeshConfig("{mode: REGISTRY_ONLY}");

        Assert.Equal(Mode.RegistryOnly, ModeOf(BookinfoMesh.ProductPage, mesh));
        Assert.Equal(Mode.RegistryOnly, ModeOf(BookinfoMesh.Ratings, mesh));

        // A Sidecar that only narrows egress keeps the mesh's policy.
        Assert.Equal(Mode.RegistryOnly, ModeOf(BookinfoMesh.ProductPage, mesh, Sidecar("default", "{egress: [{hosts: [\"./*\"]}]}")));
        Assert.Equal(Mode.AllowAny, ModeOf(BookinfoMesh.ProductPage, MeshConfig("{mode: ALLOW_ANY}"), Sidecar("default", "{egress: [{hosts: [\"./*\"]}]}")));
    }

    [Fact]
    public void A_Sidecar_resources_policy_overrides_the_mesh_configs_in_both_directions()
    {
        Assert.Equal(Mode.AllowAny, ModeOf(BookinfoMesh.ProductPage, MeshConfig("{mode: REGISTRY_ONLY}"), Sidecar("default", "{outboundTrafficPolicy: {mode: ALLOW_ANY}}")));
        Assert.Equal(Mode.RegistryOnly, ModeOf(BookinfoMesh.ProductPage, MeshConfig("{mode: ALLOW_ANY}"), Sidecar("default", "{outboundTrafficPolicy: {mode: REGISTRY_ONLY}}")));

        // The root namespace's default Sidecar is a Sidecar too: its policy wins over the mesh's.
        Assert.Equal(Mode.AllowAny, ModeOf(BookinfoMesh.ProductPage, MeshConfig("{mode: REGISTRY_ONLY}"), Sidecar("istio-system", "{outboundTrafficPolicy: {mode: ALLOW_ANY}}")));

        // A policy without a mode is the proto's zero value, REGISTRY_ONLY, whatever the mesh says.
        Assert.Equal(Mode.RegistryOnly, ModeOf(BookinfoMesh.ProductPage, MeshConfig("{mode: ALLOW_ANY}"), Sidecar("default", "{outboundTrafficPolicy: {}}")));
    }
}
