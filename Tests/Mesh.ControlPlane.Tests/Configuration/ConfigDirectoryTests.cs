using System.Net;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Tests.Infrastructure;
using Mesh.Testing.Logging;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Tests.Configuration;

/// <summary>The config directory as a source: saves take effect without restart, bad saves are rejected whole.</summary>
public sealed class ConfigDirectoryTests
{
    [Fact]
    public async Task Startup_loads_the_directory_recursively_and_skips_hidden_and_foreign_files()
    {
        var options = StandIn.Options();
        Directory.CreateDirectory(Path.Combine(options.ConfigDirectory, "team", ".git"));
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "reviews.yaml"), Yaml.VirtualService("reviews"));
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "team", "ratings.yml"), Yaml.VirtualService("ratings", host: "ratings"));
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "team", ".#ratings.yml"), "not: [yaml");
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "team", ".git", "x.yaml"), "not: [yaml");
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "README.md"), "# not config");
        await using var controlPlane = await TestControlPlane.StartAsync(options);

        var list = await controlPlane.Admin.GetJsonAsync("/api/v1/config");

        Assert.Equal(1, list["generation"]!.GetValue<long>());
        var sources = list["items"]!.AsArray().Select(i => $"{i!["name"]}@{i["source"]}").Order().ToArray();
        Assert.Equal(["ratings@team/ratings.yml", "reviews@reviews.yaml"], sources);
    }

    private static readonly TimeSpan FileDebounce = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_saved_file_takes_effect_without_restart()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        Assert.Equal(0, await controlPlane.Admin.GenerationAsync()); // the empty directory: nothing accepted yet

        controlPlane.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews"));

        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);
        var item = await controlPlane.Admin.GetJsonAsync("/api/v1/config/VirtualService/default/reviews");
        Assert.Equal("v1", item["spec"]!["http"]![0]!["route"]![0]!["destination"]!["subset"]!.GetValue<string>());

        controlPlane.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews", subset: "v2"));

        await Poll.ForAsync("config generation 2", controlPlane.Admin.GenerationAsync, g => g == 2);
        item = await controlPlane.Admin.GetJsonAsync("/api/v1/config/vs/default/reviews");
        Assert.Equal("v2", item["spec"]!["http"]![0]!["route"]![0]!["destination"]!["subset"]!.GetValue<string>());

        File.Delete(Path.Combine(controlPlane.ConfigDirectory, "reviews.yaml"));
        await Poll.ForAsync("config generation 3", controlPlane.Admin.GenerationAsync, g => g == 3);
        var (status, _) = await controlPlane.Admin.SendAsync(HttpMethod.Get, "/api/v1/config/vs/default/reviews");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task An_editor_saving_through_a_temp_file_and_rename_is_picked_up()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        controlPlane.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        // vim/VS Code style: write a sibling temp file, then rename it over the original.
        var temp = Path.Combine(controlPlane.ConfigDirectory, ".reviews.yaml.swp");
        File.WriteAllText(temp, Yaml.VirtualService("reviews", subset: "v3"));
        File.Move(temp, Path.Combine(controlPlane.ConfigDirectory, "reviews.yaml"), overwrite: true);

        await Poll.ForAsync("config generation 2", controlPlane.Admin.GenerationAsync, g => g == 2);
        var yaml = await controlPlane.Admin.GetStringAsync("/api/v1/config/vs/default/reviews?format=yaml");
        Assert.Contains("subset: v3", yaml);
    }

    [Fact]
    public async Task Touching_a_file_or_rewriting_the_same_content_does_not_bump_the_generation()
    {
        var clock = new TestClock();
        var logs = new CapturedLogs(LogLevel.Debug);
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options() with
        {
            Clock = clock,
            Logs = logs,
            LogLevel = LogLevel.Debug,
            ConfigFiles = new Dictionary<string, string> { ["reviews.yaml"] = Yaml.VirtualService("reviews") },
        });
        Assert.Equal(1, await controlPlane.Admin.GenerationAsync());

        var path = Path.Combine(controlPlane.ConfigDirectory, "reviews.yaml");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        File.WriteAllText(path, Yaml.VirtualService("reviews"));

        // The watcher saw the save (the debounce timer is armed); once it passed, the directory is re-read...
        // The touch and the write are separate file events: the second may restart the debounce after
        // the test saw the first timer, so the clock moves on whenever a debounce is armed.
        await clock.WaitForTimerAsync("the 50 ms file debounce", FileDebounce);
        await clock.AdvanceUntilAsync("the re-read of the touched file", FileDebounce, () => logs.Entries.Any(e => e.Message == "Configuration from files unchanged (generation 1)"));

        // ...and found nothing new.
        Assert.Equal(1, await controlPlane.Admin.GenerationAsync());
    }

    [Fact]
    public async Task An_invalid_save_is_rejected_whole_and_the_last_good_model_keeps_serving()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        controlPlane.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        // The valid first document must not be accepted on its own either.
        controlPlane.WriteConfigFile("team/more.yaml", Yaml.Documents(Yaml.VirtualService("details", host: "details"), Yaml.InvalidVirtualService("broken")));

        var status = await Poll.ForAsync("a lastError in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["lastError"] is not null);
        Assert.Equal(1, status["generation"]!.GetValue<long>());
        Assert.False(status["filesInSync"]!.GetValue<bool>());
        var error = status["lastError"]!["errors"]!.AsArray().Single()!;
        Assert.Equal("team/more.yaml", error["origin"]!.GetValue<string>());
        Assert.Equal(2, error["document"]!.GetValue<int>());
        Assert.Equal("VirtualService", error["kind"]!.GetValue<string>());
        Assert.Equal("broken", error["name"]!.GetValue<string>());
        Assert.Equal(Yaml.InvalidPath, error["path"]!.GetValue<string>());
        Assert.StartsWith("team/more.yaml (document 2, line 31) VirtualService/broken: " + Yaml.InvalidPath + ": ", error["formatted"]!.GetValue<string>());

        var names = (await controlPlane.Admin.GetJsonAsync("/api/v1/config"))["items"]!.AsArray().Select(i => i!["name"]!.GetValue<string>());
        Assert.Equal(["reviews"], names);

        var rejected = Assert.Single(status["rejected"]!.AsArray())!;
        Assert.Equal("team/more.yaml", rejected["source"]!.GetValue<string>());
        Assert.Equal(Yaml.InvalidPath, rejected["errors"]![0]!["path"]!.GetValue<string>());

        // Fixing the file accepts everything at once and clears the report.
        controlPlane.WriteConfigFile("team/more.yaml", Yaml.Documents(Yaml.VirtualService("details", host: "details"), Yaml.VirtualService("broken", host: "ratings")));
        status = await Poll.ForAsync("config generation 2 in the status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["generation"]!.GetValue<long>() == 2);
        Assert.True(status["filesInSync"]!.GetValue<bool>());
        Assert.Empty(status["rejected"]!.AsArray());
        Assert.Null(status["lastError"]);
        Assert.Equal(3, status["objects"]!.GetValue<int>());
    }

    [Fact]
    public async Task Two_files_defining_the_same_object_are_rejected()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        controlPlane.WriteConfigFile("a.yaml", Yaml.VirtualService("reviews"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        controlPlane.WriteConfigFile("b.yaml", Yaml.VirtualService("reviews", subset: "v2"));

        var status = await Poll.ForAsync("a lastError in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["lastError"] is not null);
        var messages = status["lastError"]!["errors"]!.AsArray().Select(e => e!["formatted"]!.GetValue<string>()).ToList();
        Assert.Contains(messages, m => m.Contains("reviews", StringComparison.Ordinal));
        Assert.Equal(1, status["generation"]!.GetValue<long>());
    }

    internal static JsonArray Items(JsonNode list) => list["items"]!.AsArray();
}
