using System.Net;
using Mesh.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Resilience;

/// <summary>
/// "The last good configuration keeps serving" across restarts: a control plane restarted while
/// the config directory holds an invalid file serves the configuration it accepted before
/// (journaled in its data directory), and reports the file.
/// </summary>
public sealed class InvalidConfigRestartTests(ITestOutputHelper output)
{
    /// <summary>
    /// Before the journal, the restarted store loaded nothing (generation 0), every proxy ACKed an
    /// empty snapshot and every call failed until the file was fixed.
    /// </summary>
    [Fact]
    public async Task A_control_plane_restarted_with_an_invalid_file_keeps_serving_the_last_accepted_config()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");
        await File.WriteAllTextAsync(Path.Combine(mesh.ConfigDirectory, "reviews-virtual-service.yaml"), RoutingYaml.AllTo("v2"));

        await mesh.WaitForReviewsVirtualServiceAsync(json => json is not null);
        var generation = await mesh.ControlPlane.GenerationAsync();
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, await mesh.CountAsync(10));
        using var stopTraffic = new CancellationTokenSource();
        var traffic = TrafficProbe.RunAsync(mesh, stopTraffic.Token);

        await mesh.StopControlPlaneAsync();
        await File.WriteAllTextAsync(Path.Combine(mesh.ConfigDirectory, "broken.yaml"), RoutingYaml.AllTo("v1").Replace("subset:", "subst:", StringComparison.Ordinal));
        await mesh.StartControlPlaneAgainAsync();

        // Every proxy reconnects and ACKs what the restarted control plane sends it.
        await mesh.ControlPlane.WaitForSyncedAsync(mesh.ProxyIds);
        await mesh.WaitForReviewsEndpointsAsync("reviews-v1", "reviews-v2");
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 20 }, await mesh.CountAsync(20));
        stopTraffic.Cancel();
        var probe = await traffic;
        output.WriteLine($"calls during the restart: {probe}");
        Assert.Equal(0, probe.Failed);
        Assert.Equal(["reviews-v2"], probe.Served.Keys);

        using var status = await mesh.ControlPlane.StatusAsync();
        output.WriteLine(status.RootElement.ToString());
        Assert.True(status.RootElement.GetProperty("accepted").GetBoolean());
        Assert.Equal(generation, status.RootElement.GetProperty("generation").GetInt64());
        var rejected = status.RootElement.GetProperty("rejected").EnumerateArray().Single();
        Assert.Equal("broken.yaml", rejected.GetProperty("source").GetString());
        Assert.Contains("subst", rejected.GetProperty("errors").ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await mesh.ControlPlane.Admin.GetAsync("/readyz")).StatusCode);

        // Fixing the file takes effect and clears the report.
        await File.WriteAllTextAsync(Path.Combine(mesh.ConfigDirectory, "broken.yaml"), "# fixed: nothing here\n");
        await Poll.UntilAsync("the report to clear", async () =>
        {
            using var fixedStatus = await mesh.ControlPlane.StatusAsync();
            return fixedStatus.RootElement.GetProperty("rejected").GetArrayLength() == 0
                && fixedStatus.RootElement.GetProperty("filesInSync").GetBoolean()
                && !fixedStatus.RootElement.TryGetProperty("lastError", out _);
        });
    }
}
