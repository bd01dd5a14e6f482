using Google.Protobuf;
using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Tests.Snapshots;

/// <summary>
/// What sidecars share is built once per set of inputs (SnapshotMemo) and serialized once
/// (SnapshotEncoding) — and every proxy still gets exactly the snapshot a build of its own gives.
/// </summary>
public sealed class SharedBuildTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    private const string SourceLabelRoutes = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match:
            - sourceLabels: {app: productpage}
            route:
            - destination: {host: reviews, subset: v2}
          - route:
            - destination: {host: reviews, subset: v1}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """;

    [Fact]
    public void Sidecars_of_different_workloads_share_routes_and_clusters_and_get_what_their_own_build_gives()
    {
        var inputs = BookinfoMesh.Inputs("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml");

        var details = SnapshotBuilder.Build(inputs, BookinfoMesh.Details);
        var ratings = SnapshotBuilder.Build(inputs, BookinfoMesh.Ratings);

        Assert.NotEmpty(details.Clusters);
        Assert.All(details.Clusters.Zip(ratings.Clusters), pair => Assert.Same(pair.First, pair.Second));
        Assert.All(details.VirtualHosts.Zip(ratings.VirtualHosts), pair => Assert.Same(pair.First, pair.Second));

        // Sharing changes nothing a proxy receives: each equals a build from inputs of its own.
        Assert.Equal(Alone(BookinfoMesh.Details, "virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml"), details);
        Assert.Equal(Alone(BookinfoMesh.Ratings, "virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml"), ratings);
    }

    [Fact]
    public void Source_labels_split_the_shared_routes_by_the_labels_they_name()
    {
        var inputs = BookinfoMesh.Inputs(BookinfoMesh.Parse(SourceLabelRoutes));

        var productPage = SnapshotBuilder.Build(inputs, BookinfoMesh.ProductPage);
        var details = SnapshotBuilder.Build(inputs, BookinfoMesh.Details);
        var ratings = SnapshotBuilder.Build(inputs, BookinfoMesh.Ratings);

        Assert.Equal($"outbound|9080|v2|{Reviews}", Destination(productPage));
        Assert.Equal($"outbound|9080|v1|{Reviews}", Destination(details));
        Assert.Same(details.Host($"{Reviews}:9080"), ratings.Host($"{Reviews}:9080"));
        Assert.NotSame(details.Host($"{Reviews}:9080"), productPage.Host($"{Reviews}:9080"));
        Assert.Equal(Alone(BookinfoMesh.ProductPage, BookinfoMesh.Parse(SourceLabelRoutes)), productPage);
    }

    [Fact]
    public void An_endpoint_change_keeps_routes_and_cluster_definitions_and_delivers_the_new_endpoints()
    {
        var objects = BookinfoMesh.Load("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml");
        var model = new MeshModel(3, [.. objects]);
        var settings = new MeshSettings();
        var before = new SnapshotInputs(model, BookinfoMesh.Registry, settings);
        var first = SnapshotBuilder.Build(before, BookinfoMesh.ProductPage);

        var extraReviews = BookinfoMesh.ReviewsV3.Clone();
        extraReviews.Id = "reviews-v3-1";
        extraReviews.Address = "10.0.0.9";
        var after = new SnapshotInputs(model, BookinfoMesh.Registry with { Version = 8, Workloads = BookinfoMesh.Registry.Workloads.Add(new WorkloadInstance(extraReviews, DateTimeOffset.UnixEpoch)) }, settings);
        after.ContinueFrom(before);
        var second = SnapshotBuilder.Build(after, BookinfoMesh.ProductPage);

        Assert.True(after.Memo.CarriedOver);
        Assert.Equal(1, after.Memo.EpochRouteBuilds); // the routes of the first inputs, not rebuilt
        Assert.Same(first.Host($"{Reviews}:9080"), second.Host($"{Reviews}:9080"));
        Assert.Contains(second.Cluster($"outbound|9080|v3|{Reviews}").Endpoints, e => e.Address == "10.0.0.9");
        Assert.DoesNotContain(first.Cluster($"outbound|9080|v3|{Reviews}").Endpoints, e => e.Address == "10.0.0.9");
        Assert.Equal(Alone(BookinfoMesh.ProductPage, after), second);
        Assert.NotEqual(first.Version, second.Version);
    }

    [Fact]
    public void A_configuration_change_or_a_new_service_rebuilds_the_routes()
    {
        var settings = new MeshSettings();
        var before = new SnapshotInputs(new MeshModel(3, [.. BookinfoMesh.Load("virtual-service-reviews-50-v3.yaml")]), BookinfoMesh.Registry, settings);
        SnapshotBuilder.Build(before, BookinfoMesh.ProductPage);

        var changedConfig = new SnapshotInputs(new MeshModel(4, [.. BookinfoMesh.Load("virtual-service-reviews-v3.yaml")]), BookinfoMesh.Registry, settings);
        changedConfig.ContinueFrom(before);
        SnapshotBuilder.Build(changedConfig, BookinfoMesh.ProductPage);
        Assert.False(changedConfig.Memo.CarriedOver);

        var newService = BookinfoMesh.Details.Clone();
        newService.Id = "checkout-0";
        newService.Services[0].Name = "checkout";
        var withService = new SnapshotInputs(before.Model, BookinfoMesh.Registry with { Version = 9, Workloads = BookinfoMesh.Registry.Workloads.Add(new WorkloadInstance(newService, DateTimeOffset.UnixEpoch)) }, settings);
        withService.ContinueFrom(before);
        var snapshot = SnapshotBuilder.Build(withService, BookinfoMesh.ProductPage);
        Assert.False(withService.Memo.CarriedOver);
        Assert.Contains(snapshot.VirtualHosts, v => v.Name == "checkout.default.svc.cluster.local:9080");
    }

    [Fact]
    public void A_service_definition_compares_every_property_but_its_endpoints()
    {
        // SameDefinition decides whether routes are carried over: a property added to ServiceModel
        // must be compared there (then added here), or a change to it would not rebuild routes.
        Assert.Equal(
            ["Addresses", "DnsResolution", "Endpoints", "ExportTo", "External", "Hostname", "Location", "Namespace", "Passthrough", "Ports", "ShortName", "SubjectAltNames"],
            typeof(ServiceModel).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));

        var service = new ServiceModel { Hostname = "a.default.svc.cluster.local", Namespace = "default", Ports = [new ServicePortModel(80, "http", Protocol.Http)], Endpoints = [] };
        Assert.True(service.SameDefinition(service with { Endpoints = [new ServiceEndpoint(80, new Endpoint { Address = "10.0.0.1" })] }));
        Assert.False(service.SameDefinition(service with { Ports = [new ServicePortModel(80, "grpc", Protocol.Grpc)] }));
        Assert.False(service.SameDefinition(service with { ExportTo = ["."] }));
        Assert.False(service.SameDefinition(service with { SubjectAltNames = ["spiffe://x"] }));
        Assert.False(service.SameDefinition(service with { DnsResolution = true }));
        Assert.False(service.SameDefinition(service with { Addresses = ["10.1.0.0/16"] }));
    }

    [Fact]
    public void The_shared_bytes_are_the_snapshot_and_its_version_names_its_content()
    {
        var inputs = BookinfoMesh.Inputs("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml", "bookinfo-gateway.yaml");
        var snapshot = SnapshotBuilder.Build(inputs, BookinfoMesh.ProductPage);
        var shared = new SharedSnapshot(snapshot);

        var node = BookinfoMesh.ProductPage;
        var payload = new SnapshotPayload(shared, node, SnapshotPayload.EncodeNodeField(node));
        var received = ProxySnapshot.Parser.ParseFrom(shared.BytesWithoutNode.Concat(payload.NodeField).ToArray());

        Assert.Equal(ProxySnapshotCopier.ForNode(snapshot, node), received);
        var withoutHeader = snapshot.Clone();
        withoutHeader.Version = "";
        withoutHeader.ConfigGeneration = 0;
        withoutHeader.Node = null;
        Assert.Equal(withoutHeader.ToByteArray(), SnapshotEncoding.Content(snapshot));

        var changed = snapshot.Clone();
        changed.Clusters[0].Endpoints.Add(new Endpoint { Address = "10.9.9.9", Port = 1 });
        Assert.NotEqual(SnapshotBuilder.VersionOf(snapshot), SnapshotBuilder.VersionOf(changed));
    }

    // One Sidecar per workload, as a fleet with egress scoping has: each scope a different outbound part.
    private const string ScopesImportingReviews = """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: productpage}
        spec:
          workloadSelector: {labels: {app: productpage}}
          egress:
          - hosts: [./reviews.default.svc.cluster.local, ./details.default.svc.cluster.local]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: reviews}
        spec:
          workloadSelector: {labels: {app: reviews}}
          egress:
          - hosts: [./reviews.default.svc.cluster.local, ./ratings.default.svc.cluster.local]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
            timeout: 5s
        """;

    [Fact]
    public void Scopes_that_import_a_service_share_its_virtual_host_and_clusters_and_see_only_their_imports()
    {
        var inputs = BookinfoMesh.Inputs(BookinfoMesh.Parse(ScopesImportingReviews));

        var productPage = SnapshotBuilder.Build(inputs, BookinfoMesh.ProductPage);
        var reviews = SnapshotBuilder.Build(inputs, BookinfoMesh.ReviewsV1);

        Assert.Equal([$"details.default.svc.cluster.local:9080", $"{Reviews}:9080"], productPage.VirtualHosts.Select(v => v.Name));
        Assert.Equal([$"ratings.default.svc.cluster.local:9080", $"{Reviews}:9080"], reviews.VirtualHosts.Select(v => v.Name));
        Assert.Same(productPage.Host($"{Reviews}:9080"), reviews.Host($"{Reviews}:9080"));
        Assert.Same(productPage.Cluster($"outbound|9080||{Reviews}"), reviews.Cluster($"outbound|9080||{Reviews}"));
        Assert.Equal(2, inputs.Memo.EpochRouteBuilds); // two scopes ...
        Assert.Equal(3, inputs.Memo.EpochPieceBuilds); // ... of three distinct virtual hosts, reviews' built once
        Assert.Equal(Alone(BookinfoMesh.ProductPage, inputs), productPage);
        Assert.Equal(Alone(BookinfoMesh.ReviewsV1, inputs), reviews);
    }

    [Fact]
    public void A_routing_change_keeps_the_cluster_objects_whose_definition_and_endpoints_did_not_change()
    {
        var settings = new MeshSettings();
        var before = new SnapshotInputs(new MeshModel(3, [.. BookinfoMesh.Load("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml")]), BookinfoMesh.Registry, settings);
        var first = SnapshotBuilder.Build(before, BookinfoMesh.ProductPage);

        var after = new SnapshotInputs(new MeshModel(4, [.. BookinfoMesh.Load("virtual-service-reviews-v3.yaml", "destination-rule-all.yaml")]), BookinfoMesh.Registry, settings);
        after.ContinueFrom(before);
        var second = SnapshotBuilder.Build(after, BookinfoMesh.ProductPage);

        Assert.False(after.Memo.CarriedOver); // a new configuration: routes rebuilt ...
        Assert.NotEqual(first.Host($"{Reviews}:9080"), second.Host($"{Reviews}:9080"));
        Assert.All(first.Clusters.Zip(second.Clusters), pair => Assert.Same(pair.First, pair.Second)); // ... the same clusters kept
        Assert.Equal(first.Clusters.Count, after.Memo.ReusedClusters);
        Assert.Equal(Alone(BookinfoMesh.ProductPage, after), second);
    }

    [Fact]
    public void An_endpoint_change_keeps_every_cluster_object_but_those_of_the_service_it_changed()
    {
        var model = new MeshModel(3, [.. BookinfoMesh.Load("destination-rule-all.yaml")]);
        var settings = new MeshSettings();
        var before = new SnapshotInputs(model, BookinfoMesh.Registry, settings);
        var first = SnapshotBuilder.Build(before, BookinfoMesh.ProductPage);

        var ratings = BookinfoMesh.Ratings.Clone();
        ratings.Id = "ratings-v1-1";
        ratings.Address = "10.0.0.9";
        var after = new SnapshotInputs(model, BookinfoMesh.Registry with { Version = 8, Workloads = BookinfoMesh.Registry.Workloads.Add(new WorkloadInstance(ratings, DateTimeOffset.UnixEpoch)) }, settings);
        after.ContinueFrom(before);
        var second = SnapshotBuilder.Build(after, BookinfoMesh.ProductPage);

        foreach (var (old, now) in first.Clusters.Zip(second.Clusters))
        {
            if (now.Service == "ratings.default.svc.cluster.local" && now.Endpoints.Count > 0)
            {
                Assert.NotSame(old, now);
                Assert.Contains(now.Endpoints, e => e.Address == "10.0.0.9");
            }
            else
            {
                Assert.Same(old, now);
            }
        }

        Assert.Equal(Alone(BookinfoMesh.ProductPage, after), second);
    }

    private static ProxySnapshot Alone(Node node, params string[] files) => Alone(node, BookinfoMesh.Inputs(files));

    private static ProxySnapshot Alone(Node node, IReadOnlyList<ConfigObject> objects) => Alone(node, BookinfoMesh.Inputs(objects));

    /// <summary>The node's snapshot from a fresh copy of the inputs: nothing shared with other builds.</summary>
    private static ProxySnapshot Alone(Node node, SnapshotInputs inputs) =>
        SnapshotBuilder.Build(new SnapshotInputs(inputs.Model, inputs.Registry, inputs.Settings), node);

    private static string Destination(ProxySnapshot snapshot) =>
        snapshot.Host($"{Reviews}:9080").Routes[0].Route_.Clusters.Single().Cluster;
}
