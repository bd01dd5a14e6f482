using System.Net;
using Mesh.Config.Model;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// The Kubernetes mode's config source against an HTTP server speaking the API server's list and
/// watch for the mesh CRD paths: initial list and readiness, watch events, invalid objects reported
/// in status and not applied (the last good generation keeps serving), 410 Gone and resync.
/// </summary>
public sealed class KubernetesConfigSourceTests
{
    private static readonly ConfigKind Vs = ConfigKinds.VirtualService;
    private static readonly ConfigKind Dr = ConfigKinds.DestinationRule;

    [Fact]
    public async Task Lists_every_kind_serves_the_objects_and_turns_ready_with_accepted_status()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(Vs, Yaml.VirtualService("reviews"));
        api.Apply(Dr, Yaml.DestinationRule("reviews"));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        await Poll.ForAsync("/readyz answering 200", async () => (await controlPlane.Admin.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK);
        var model = controlPlane.Store().Current;
        Assert.Equal(["DestinationRule/default/reviews", "VirtualService/default/reviews"], model.Entries.Keys);
        Assert.Equal("kubernetes/default/virtualservices/reviews", model.Entries["VirtualService/default/reviews"].Source);
        Assert.All(ConfigKinds.Istio, kind => Assert.Equal(1, api.ListCounts.GetValueOrDefault(kind.Plural)));

        var condition = await Poll.ForAsync("an Accepted condition on Vs reviews", () => api.AcceptedCondition(Vs, "default", "reviews"), c => c.Status is not null);
        Assert.Equal(("True", "generation 1 is valid and applied", 1L), condition);
    }

    [Fact]
    public async Task Watch_events_add_change_and_delete_configuration()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        await Poll.ForAsync("/readyz answering 200", async () => (await controlPlane.Admin.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK);
        var start = controlPlane.Store().Current.Generation;

        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v1"));
        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/reviews"), present => present);

        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v3"));
        await Poll.ForAsync("subset v3 in the store", () => controlPlane.Store().Current.Entries["VirtualService/default/reviews"].Yaml, yaml => yaml.Contains("subset: v3", StringComparison.Ordinal));
        Assert.Equal(("True", "generation 2 is valid and applied", 2L),
            await Poll.ForAsync("the Accepted condition of Vs reviews at generation 2", () => api.AcceptedCondition(Vs, "default", "reviews"), c => c.ObservedGeneration == 2));

        api.Delete(Vs, "default", "reviews");
        await Poll.ForAsync("the object gone from the store", () => controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/reviews"), present => !present);
        Assert.Equal(start + 3, controlPlane.Store().Current.Generation);
    }

    [Fact]
    public async Task An_invalid_object_is_reported_in_its_status_and_not_applied_while_others_are()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(Vs, Yaml.InvalidVirtualService("broken"));
        api.Apply(Vs, Yaml.VirtualService("details", host: "details"));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/details"), present => present);
        Assert.False(controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/broken"));
        var (status, message, generation) = await Poll.ForAsync("an Accepted condition on Vs broken", () => api.AcceptedCondition(Vs, "default", "broken"), c => c.Status is not null);
        Assert.Equal("False", status);
        Assert.Equal(1, generation);
        Assert.StartsWith(Yaml.InvalidPath + ":", message, StringComparison.Ordinal);
        Assert.EndsWith("(not applied)", message, StringComparison.Ordinal);

        // meshctl status (the store's status) names the refused object while the rest serves.
        var refused = Assert.Single(controlPlane.Store().GetStatus().Rejected);
        Assert.Equal("kubernetes/default/virtualservices/broken", refused.Source);
        Assert.Equal(Yaml.InvalidPath, Assert.Single(refused.Errors).Path);

        // Other changes keep flowing while the invalid object stays out.
        api.Apply(Dr, Yaml.DestinationRule("details", host: "details"));
        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey("DestinationRule/default/details"), present => present);
        Assert.False(controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/broken"));
        Assert.Single(controlPlane.Store().GetStatus().Rejected);

        // Deleting it clears the report.
        api.Delete(Vs, "default", "broken");
        await Poll.ForAsync("the deleted object is no longer reported", () => controlPlane.Store().GetStatus().Rejected, r => r.Count == 0);
    }

    [Fact]
    public async Task An_invalid_update_keeps_the_last_good_generation_serving_until_fixed()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v1").Replace("name: reviews", "name: routes", StringComparison.Ordinal));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        const string Key = "VirtualService/default/routes";
        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey(Key), present => present);

        api.Apply(Vs, Yaml.InvalidVirtualService("routes"));
        var condition = await Poll.ForAsync("Accepted=False on Vs routes", () => api.AcceptedCondition(Vs, "default", "routes"), c => c.Status == "False");
        Assert.Equal(2, condition.ObservedGeneration);
        Assert.EndsWith("(not applied; generation 1 keeps serving)", condition.Message, StringComparison.Ordinal);
        Assert.Contains("subset: v1", controlPlane.Store().Current.Entries[Key].Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("weight: -5", controlPlane.Store().Current.Entries[Key].Yaml, StringComparison.Ordinal);

        api.Apply(Vs, Yaml.VirtualService("routes", subset: "v2"));
        await Poll.ForAsync("subset v2 in the store", () => controlPlane.Store().Current.Entries[Key].Yaml, yaml => yaml.Contains("subset: v2", StringComparison.Ordinal));
        Assert.Equal(("True", "generation 3 is valid and applied", 3L),
            await Poll.ForAsync("the Accepted condition of Vs routes at generation 3", () => api.AcceptedCondition(Vs, "default", "routes"), c => c.ObservedGeneration == 3));
    }

    [Fact]
    public async Task A_watch_resumed_after_410_Gone_lists_again_and_catches_up()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v1"));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/reviews"), present => present);
        Assert.Equal(1, api.ListCounts[Vs.Plural]);

        // History compacted and every watch closed: resuming from the old version is 410 Gone.
        api.ExpireWatches();
        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v3"));

        await Poll.ForAsync("subset v3 in the store", () => controlPlane.Store().Current.Entries["VirtualService/default/reviews"].Yaml, yaml => yaml.Contains("subset: v3", StringComparison.Ordinal));
        await Poll.ForAsync("the 410 must trigger a new list", () => api.ListCounts[Vs.Plural], count => count >= 2);

        // And the watch that follows the new list delivers events again.
        api.Apply(Vs, Yaml.VirtualService("ratings", host: "ratings"));
        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/ratings"), present => present);
    }

    [Fact]
    public async Task The_periodic_resync_recovers_a_change_no_watch_delivered()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v1"));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api, "--ControlPlane:Kubernetes:ResyncPeriod=00:00:00.500");
        await Poll.ForAsync("the object in the store", () => controlPlane.Store().Current.Entries.ContainsKey("VirtualService/default/reviews"), present => present);

        api.Apply(Vs, Yaml.VirtualService("reviews", subset: "v2"), notify: false);
        await Poll.ForAsync("the resync list must pick up the missed change", () => controlPlane.Store().Current.Entries["VirtualService/default/reviews"].Yaml, yaml => yaml.Contains("subset: v2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_is_not_rewritten_when_nothing_changed()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.Apply(Vs, Yaml.VirtualService("reviews"));
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);
        await Poll.ForAsync("Accepted=True on Vs reviews", () => api.AcceptedCondition(Vs, "default", "reviews"), c => c.Status == "True");

        // Other objects' events trigger reconciles; this object's status is already right.
        api.Apply(Dr, Yaml.DestinationRule("reviews"));
        await Poll.ForAsync("Accepted=True on Dr reviews", () => api.AcceptedCondition(Dr, "default", "reviews"), c => c.Status == "True");
        await controlPlane.App.Services.GetRequiredService<CustomResourceReconciler>().ReconcileAsync(CancellationToken.None);
        Assert.Single(api.StatusPatches, p => p == "virtualservices/default/reviews");
    }
}
