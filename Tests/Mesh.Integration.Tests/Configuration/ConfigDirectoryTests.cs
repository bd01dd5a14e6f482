using System.Text.Json;
using Mesh.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Configuration;

/// <summary>The watched config directory: saving a file changes routing without a restart.</summary>
public sealed class ConfigDirectoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Saving_a_file_changes_routing_and_a_broken_save_keeps_the_last_good_config()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");
        var file = Path.Combine(mesh.ConfigDirectory, "reviews-virtual-service.yaml");

        await File.WriteAllTextAsync(file, RoutingYaml.AllTo("v2"));
        await mesh.WaitForReviewsVirtualServiceAsync(json => json is not null);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, await mesh.CountAsync(10));

        await File.WriteAllTextAsync(file, RoutingYaml.UserTo("jason", "v2", otherwise: "v1"));
        await mesh.WaitForReviewsVirtualServiceAsync(json => json?.Contains("jason", StringComparison.Ordinal) == true);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 10 }, await mesh.CountAsync(10));
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, await mesh.CountAsync(10, endUser: "jason"));

        // A broken save (a typo in a field name) is rejected whole; the last good config serves on.
        var generation = await mesh.ControlPlane.GenerationAsync();
        await File.WriteAllTextAsync(file, RoutingYaml.AllTo("v2").Replace("subset:", "subst:", StringComparison.Ordinal));
        JsonElement lastError = default;
        await Poll.UntilAsync("the broken file to be reported", async () =>
        {
            using var status = await mesh.ControlPlane.StatusAsync();
            lastError = status.RootElement.TryGetProperty("lastError", out var error) ? error.Clone() : default;
            return !status.RootElement.GetProperty("filesInSync").GetBoolean() && lastError.ValueKind == JsonValueKind.Object;
        });
        output.WriteLine(lastError.ToString());
        Assert.Contains("reviews-virtual-service.yaml", lastError.ToString(), StringComparison.Ordinal);
        Assert.Contains("spec.http[0].route[0].destination.subst", lastError.ToString(), StringComparison.Ordinal);
        Assert.Equal(generation, await mesh.ControlPlane.GenerationAsync());
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 10 }, await mesh.CountAsync(10));
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, await mesh.CountAsync(10, endUser: "jason"));

        // Deleting the file removes the VirtualService: back to every version.
        File.Delete(file);
        await mesh.WaitForReviewsVirtualServiceAsync(json => json is null);
        await Poll.UntilAsync("both versions to serve again", async () => (await mesh.CountAsync(20)).Count == 2);
    }
}
