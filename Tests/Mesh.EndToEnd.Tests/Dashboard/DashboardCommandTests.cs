using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Dashboard;

/// <summary>
/// Traffic control from the Aspire dashboard, through the same command service the dashboard
/// calls: each command applies Istio configuration through the control plane (visible with
/// meshctl), traffic follows it, the resources' properties summarise it, and a reset removes
/// exactly what the dashboard applied.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class DashboardCommandTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private const string RatingsUnavailable = "Ratings service is currently unavailable";
    private static readonly TimeSpan SyncTimeout = Poll.DefaultBudget;

    [Fact]
    public async Task Shifting_traffic_and_injecting_a_fault_from_the_dashboard_changes_routing_and_reset_undoes_it()
    {
        try
        {
            // "Send all reviews traffic to v3": every page from reviews-v3 (red stars).
            await ExecuteAsync("reviews-v3", "mesh-send-all-traffic");
            await WaitForSyncedAsync("productpage");
            var counts = await BookinfoPage.CountReviewsServedByAsync(mesh.ProductPage, 10);
            Assert.Equal(new Dictionary<string, int> { ["reviews-v3"] = 10 }, counts);
            var (exit, yaml, error) = await mesh.MeshCtlAsync("get", "virtualservice", "reviews", "-o", "yaml");
            Assert.True(exit == 0, error);
            Assert.Contains("subset: v3", yaml, StringComparison.Ordinal);
            Assert.Contains("mesh.dev/applied-by: aspire-dashboard", yaml, StringComparison.Ordinal);

            // "Shift reviews traffic to v1" at 50 %: the rest stays with v3, as in Istio's task.
            await ExecuteAsync("reviews-v1", "mesh-shift-traffic", ("percent", "50"));
            Assert.Equal(new Dictionary<string, int> { ["v1"] = 50, ["v3"] = 50 }, await ReviewsWeightsAsync());
            await WaitForPropertyAsync("reviews-v2", "mesh.routing", "v1 50% · v3 50%");

            // A fault on ratings: reviews-v3 shows ratings unavailable.
            await ExecuteAsync("reviews-v3", "mesh-send-all-traffic");
            await ExecuteAsync("ratings", "mesh-inject-fault", ("fault", "abort"), ("percentage", "100"), ("httpStatus", "500"));
            await WaitForSyncedAsync("reviews-v3");
            var page = await BookinfoPage.FetchAsync(mesh.ProductPage);
            Assert.Equal("reviews-v3", BookinfoPage.ReviewsServedBy(page));
            Assert.Contains(RatingsUnavailable, page, StringComparison.Ordinal);
            await WaitForPropertyAsync("ratings", "mesh.routing", "every version alike; fault: abort 500 (100%)");

            // Reset: the dashboard's objects are gone and the mesh routes as configured again.
            await ExecuteAsync("ratings", "mesh-reset");
            await ExecuteAsync("reviews-v1", "mesh-reset");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await mesh.Admin.Http.GetAsync("/api/v1/config/virtualservice/default/reviews")).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await mesh.Admin.Http.GetAsync("/api/v1/config/virtualservice/default/ratings")).StatusCode);
            await WaitForSyncedAsync("reviews-v3");
            Assert.DoesNotContain(RatingsUnavailable, await BookinfoPage.FetchAsync(mesh.ProductPage), StringComparison.Ordinal);
        }
        finally
        {
            await TryResetAsync("reviews-v1");
            await TryResetAsync("ratings");
        }
    }

    [Fact]
    public async Task A_command_refuses_to_replace_routing_rules_a_user_wrote()
    {
        await using var testV2 = await mesh.ApplySampleAsync("virtual-service-reviews-test-v2.yaml");

        var result = await mesh.App.ResourceCommands.ExecuteCommandAsync("reviews-v3", "mesh-send-all-traffic");

        output.WriteLine(result.Message);
        Assert.False(result.Success);
        Assert.Contains("has rules the dashboard would lose", result.Message, StringComparison.Ordinal);
        var stored = await mesh.Admin.Http.GetStringAsync("/api/v1/config/virtualservice/default/reviews?format=yaml");
        Assert.Contains("jason", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mesh_wide_mTLS_is_set_from_the_control_plane_resource()
    {
        try
        {
            await ExecuteAsync("controlplane", "mesh-set-mtls", ("mode", "STRICT"));
            var yaml = await mesh.Admin.Http.GetStringAsync("/api/v1/config/peerauthentication/istio-system/default?format=yaml");
            Assert.Contains("mode: STRICT", yaml, StringComparison.Ordinal);
            await WaitForPropertyAsync("controlplane", "mesh.mtls", "mesh-wide: STRICT");

            // Bookinfo keeps working: every sidecar speaks mTLS.
            await WaitForSyncedAsync("productpage");
            Assert.NotNull(BookinfoPage.ReviewsServedBy(await BookinfoPage.FetchAsync(mesh.Gateway)));
        }
        finally
        {
            await mesh.App.ResourceCommands.ExecuteCommandAsync("controlplane", "mesh-set-mtls", Arguments(("mode", "UNSET")));
        }
    }

    private async Task ExecuteAsync(string resource, string command, params (string Name, string Value)[] arguments)
    {
        var result = await mesh.App.ResourceCommands.ExecuteCommandAsync(resource, command, Arguments(arguments));
        output.WriteLine($"{resource} {command}: {result.Success} {result.Message}");
        Assert.True(result.Success, result.Message);
    }

    private static InteractionInputCollection Arguments(params (string Name, string Value)[] arguments) =>
        new([.. arguments.Select(a => new InteractionInput { Name = a.Name, InputType = InputType.Text, Value = a.Value })]);

    private async Task TryResetAsync(string resource) =>
        output.WriteLine((await mesh.App.ResourceCommands.ExecuteCommandAsync(resource, "mesh-reset")).Message);

    private async Task WaitForSyncedAsync(string proxy) =>
        await mesh.Admin.WaitForProxySyncedAsync(proxy, await mesh.Admin.GenerationAsync(), SyncTimeout);

    private async Task<Dictionary<string, int>> ReviewsWeightsAsync()
    {
        using var json = JsonDocument.Parse(await mesh.Admin.Http.GetStringAsync("/api/v1/config/virtualservice/default/reviews"));
        return json.RootElement.GetProperty("spec").GetProperty("http")[0].GetProperty("route").EnumerateArray()
            .ToDictionary(r => r.GetProperty("destination").GetProperty("subset").GetString()!, r => int.Parse(r.GetProperty("weight").ToString(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task WaitForPropertyAsync(string resource, string property, string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await mesh.App.ResourceNotifications.WaitForResourceAsync(
            resource, e => e.Snapshot.Properties.Any(p => p.Name == property && Equals(p.Value, expected)), timeout.Token);
    }
}
