using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// Telemetry settings and inbound policy are built once per set of selecting resources and shared
/// (<see cref="NodePolicyPieces"/>), across push rounds while those resources stay the same
/// objects — and never served stale: a changed resource, a new one selecting the workload or a
/// new trust domain builds them afresh, each equal to a build of its own.
/// </summary>
public sealed class NodePolicyPiecesTests
{
    private static readonly MeshSettings Settings = new() { TrustBundlePem = ["-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"] };

    private const string NamespacePolicies = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: from-productpage, namespace: default}
        spec:
          rules:
          - from:
            - source: {principals: [cluster.local/ns/default/sa/bookinfo-productpage]}
        ---
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: sampling, namespace: default}
        spec:
          tracing: [{randomSamplingPercentage: 10}]
        """;

    [Fact]
    public void Workloads_the_same_resources_select_share_one_piece_and_a_routing_change_builds_none()
    {
        var policies = BookinfoMesh.Parse(NamespacePolicies);
        var first = Inputs(3, policies, Route("3s"));
        var details = SnapshotBuilder.Build(first, BookinfoMesh.Details);
        var ratings = SnapshotBuilder.Build(first, BookinfoMesh.Ratings);

        Assert.Same(details.Inbound, ratings.Inbound);
        Assert.Same(details.Telemetry, ratings.Telemetry);
        Assert.Equal(2, first.Memo.Policies.Builds);
        Assert.Equal(Alone(first, BookinfoMesh.Details), details);

        // The next generation keeps the policy objects (the config store keeps unchanged objects):
        // the pieces are the previous round's, nothing is built.
        var next = Inputs(4, policies, Route("5s"));
        next.ContinueFrom(first);
        var after = SnapshotBuilder.Build(next, BookinfoMesh.Details);
        Assert.Same(details.Inbound, after.Inbound);
        Assert.Same(details.Telemetry, after.Telemetry);
        Assert.Equal(0, next.Memo.Policies.Builds);
        Assert.Equal(Alone(next, BookinfoMesh.Details), after);
    }

    [Fact]
    public void A_changed_or_new_selecting_resource_or_trust_domain_builds_the_pieces_afresh()
    {
        var first = Inputs(3, BookinfoMesh.Parse(NamespacePolicies));
        var before = SnapshotBuilder.Build(first, BookinfoMesh.Details);
        Assert.Equal(10, before.Telemetry.SamplingPercentage);

        // The same names, changed content (new objects, as the store makes for a changed object),
        // and a PeerAuthentication selecting details only.
        var changed = BookinfoMesh.Parse(NamespacePolicies.Replace("bookinfo-productpage", "bookinfo-reviews", StringComparison.Ordinal)
            .Replace("randomSamplingPercentage: 10", "randomSamplingPercentage: 20", StringComparison.Ordinal) + """

            ---
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: details-strict, namespace: default}
            spec:
              selector: {matchLabels: {app: details}}
              mtls: {mode: STRICT}
            """);
        var second = Inputs(4, changed);
        second.ContinueFrom(first);
        var details = SnapshotBuilder.Build(second, BookinfoMesh.Details);
        var ratings = SnapshotBuilder.Build(second, BookinfoMesh.Ratings);
        Assert.Equal(["cluster.local/ns/default/sa/bookinfo-reviews"], details.Inbound.Authorization.Single().Rules.Single().From.Single().Principals);
        Assert.Equal(20, details.Telemetry.SamplingPercentage);
        Assert.Equal((MtlsMode.Strict, MtlsMode.Permissive), (details.Inbound.Mtls, ratings.Inbound.Mtls));
        Assert.NotSame(details.Inbound, ratings.Inbound);
        Assert.Same(details.Telemetry, ratings.Telemetry);
        Assert.Equal(Alone(second, BookinfoMesh.Details), details);
        Assert.Equal(Alone(second, BookinfoMesh.Ratings), ratings);

        // The same objects under another trust domain: service accounts become other principals.
        var serviceAccounts = BookinfoMesh.Parse(NamespacePolicies.Replace("principals: [cluster.local/ns/default/sa/bookinfo-productpage]", "serviceAccounts: [bookinfo-productpage]", StringComparison.Ordinal));
        var local = Inputs(5, serviceAccounts);
        local.ContinueFrom(second);
        Assert.Equal(["cluster.local/ns/default/sa/bookinfo-productpage"], SnapshotBuilder.Build(local, BookinfoMesh.Details).Inbound.Authorization.Single().Rules.Single().From.Single().Principals);
        var renamed = new SnapshotInputs(local.Model, BookinfoMesh.Registry, Settings with { TrustDomain = "example.org" });
        renamed.ContinueFrom(local);
        Assert.Equal(["example.org/ns/default/sa/bookinfo-productpage"], SnapshotBuilder.Build(renamed, BookinfoMesh.Details).Inbound.Authorization.Single().Rules.Single().From.Single().Principals);
    }

    [Fact]
    public void Ext_authz_providers_are_added_to_each_build_not_to_the_shared_piece()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: istio, namespace: istio-system}
            data:
              mesh: |-
                extensionProviders:
                - name: authorizer
                  envoyExtAuthzHttp: {service: ratings.default.svc.cluster.local, port: 9080}
            ---
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: ext-authz, namespace: default}
            spec:
              action: CUSTOM
              provider: {name: authorizer}
              rules:
              - to:
                - operation: {paths: [/admin]}
            """);
        var first = Inputs(3, objects);
        var next = Inputs(4, objects);
        next.ContinueFrom(first);

        // Two shapes the policy selects, each built twice over (two rounds): one provider each time.
        foreach (var snapshot in new[] { first, next }.SelectMany(i => new[] { SnapshotBuilder.Build(i, BookinfoMesh.Details), SnapshotBuilder.Build(i, BookinfoMesh.Ratings) }))
        {
            Assert.Equal(["authorizer"], snapshot.Inbound.ExtAuthz.Select(p => p.Name));
            Assert.Contains(snapshot.Clusters, c => c.Name == "outbound|9080||ratings.default.svc.cluster.local");
        }

        Assert.Equal(Alone(next, BookinfoMesh.Details), SnapshotBuilder.Build(next, BookinfoMesh.Details));
    }

    private static SnapshotInputs Inputs(long generation, params IReadOnlyList<ConfigObject>[] objects) =>
        new(new MeshModel(generation, [.. objects.SelectMany(o => o)]), BookinfoMesh.Registry, Settings);

    // The node's build from inputs of its own (nothing shared or carried over), for the same content.
    private static ProxySnapshot Alone(SnapshotInputs like, Node node) =>
        SnapshotBuilder.Build(new SnapshotInputs(new MeshModel(like.Model.Generation, like.Model.Objects), like.Registry, like.Settings), node);

    private static IReadOnlyList<ConfigObject> Route(string timeout) => BookinfoMesh.Parse($$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
            timeout: {{timeout}}
        """);
}
