using System.Net;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Configuration;

/// <summary>
/// The last accepted configuration survives restarts (<c>&lt;data&gt;/config/accepted.json</c>): a
/// control plane that starts with an invalid source serves what it served before, over real
/// discovery streams; with nothing ever accepted it is not ready and pushes nothing.
/// </summary>
public sealed class LastAcceptedConfigTests
{
    [Fact]
    public async Task A_restart_with_an_invalid_file_serves_the_last_accepted_configuration()
    {
        var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await using var _ = controlPlane;
        controlPlane.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.ApplyAsync(Yaml.DestinationRule("reviews"))).Status);
        JsonNode before;
        await using (var proxy = await controlPlane.Proxy("productpage-v1").ConnectAsync())
        {
            before = await controlPlane.Admin.GetJsonAsync("/api/v1/config");
            Assert.Equal(2, (await proxy.NextAsync()).ConfigGeneration);
        }

        // An invalid document lands in the directory (the running control plane refuses it), then a restart.
        controlPlane.WriteConfigFile("broken.yaml", Yaml.InvalidVirtualService("broken"));
        await Poll.ForAsync("one rejected source in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["rejected"]!.AsArray().Count == 1);
        await using var restarted = await controlPlane.RestartAsync();

        var status = await restarted.Admin.GetJsonAsync("/api/v1/config/status");
        Assert.True(status["accepted"]!.GetValue<bool>());
        Assert.Equal(2, status["generation"]!.GetValue<long>());
        Assert.False(status["filesInSync"]!.GetValue<bool>());
        var rejected = Assert.Single(status["rejected"]!.AsArray())!;
        Assert.Equal("broken.yaml", rejected["source"]!.GetValue<string>());
        Assert.Equal(Yaml.InvalidPath, rejected["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await restarted.Admin.GetAsync("/readyz")).StatusCode);

        // The same objects, sources and per-object generations as before the restart.
        Assert.Equal(before.ToJsonString(), (await restarted.Admin.GetJsonAsync("/api/v1/config")).ToJsonString());
        await using var reconnected = await restarted.Proxy("productpage-v1").ConnectAsync();
        var snapshot = await reconnected.NextAsync();
        Assert.Equal(2, snapshot.ConfigGeneration);
        Assert.Equal(["DestinationRule/default/reviews", "VirtualService/default/reviews"], snapshot.VirtualHosts.Select(v => v.Name).Order(StringComparer.Ordinal));

        // Fixing the file clears the report and moves the generation on from the restored one.
        File.Delete(Path.Combine(restarted.ConfigDirectory, "broken.yaml"));
        status = await Poll.ForAsync("the config files in sync", () => restarted.Admin.GetJsonAsync("/api/v1/config/status"), s => s["filesInSync"]!.GetValue<bool>());
        Assert.Empty(status["rejected"]!.AsArray());
        Assert.Null(status["lastError"]);
        Assert.Equal(2, status["generation"]!.GetValue<long>()); // the same content: no new generation
    }

    [Fact]
    public async Task With_nothing_ever_accepted_the_control_plane_is_not_ready_and_pushes_nothing_until_the_file_is_fixed()
    {
        // First start with one bad file among good ones: refused whole (ControlPlane/README.md).
        var options = StandIn.Options();
        Directory.CreateDirectory(options.ConfigDirectory);
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "reviews.yaml"), Yaml.VirtualService("reviews"));
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "broken.yaml"), Yaml.InvalidVirtualService("broken"));
        await using var controlPlane = await TestControlPlane.StartAsync(options);

        var ready = await controlPlane.Admin.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("no configuration accepted yet", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var status = await controlPlane.Admin.GetJsonAsync("/api/v1/config/status");
        Assert.False(status["accepted"]!.GetValue<bool>());
        Assert.Equal(["broken.yaml"], status["rejected"]!.AsArray().Select(r => r!["source"]!.GetValue<string>()));

        // A proxy connects, and a push round runs that knows its registration: nothing reaches it.
        var scheduler = controlPlane.Service<PushScheduler>();
        var registry = controlPlane.Service<WorkloadRegistry>();
        await using var proxy = await controlPlane.Proxy("productpage-v1").ConnectAsync();
        await Poll.ForAsync("the proxy is registered", () => registry.Find("productpage-v1"), w => w is not null);
        var registered = registry.Current.Version;
        await Poll.ForAsync("a push round after the registration", () => scheduler.LastRoundRegistryVersion, v => v >= registered);

        // The fix is the first snapshot the proxy ever receives.
        controlPlane.WriteConfigFile("broken.yaml", Yaml.VirtualService("ratings", host: "ratings"));
        var first = await proxy.NextAsync();
        Assert.Equal(1, first.ConfigGeneration);
        Assert.Contains(first.VirtualHosts, v => v.Name == "VirtualService/default/reviews");
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.GetAsync("/readyz")).StatusCode);
        Assert.Empty((await controlPlane.Admin.GetJsonAsync("/api/v1/config/status"))["rejected"]!.AsArray());
    }

    [Fact]
    public async Task An_empty_config_directory_is_an_accepted_configuration()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await using var proxy = await controlPlane.Proxy("productpage-v1").ConnectAsync();

        var snapshot = await proxy.NextAsync();

        Assert.Equal(0, snapshot.ConfigGeneration);
        Assert.Empty(snapshot.VirtualHosts);
        Assert.True((await controlPlane.Admin.GetJsonAsync("/api/v1/config/status"))["accepted"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task An_unreadable_journal_is_ignored_and_one_that_no_longer_validates_is_reported_not_served()
    {
        var options = StandIn.Options();
        var journal = Path.Combine(options.DataDirectory, "config", "accepted.json");
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        File.WriteAllText(journal, "{ torn");
        var first = await TestControlPlane.StartAsync(options);
        Assert.True((await first.Admin.GetJsonAsync("/api/v1/config/status"))["accepted"]!.GetValue<bool>());
        await first.StopAsync(); // not disposed: that would remove the directories

        // A record whose objects the validator refuses (as after an upgrade with stricter rules).
        File.WriteAllText(journal, new JsonObject
        {
            ["generation"] = 7,
            ["acceptedAt"] = "2026-01-01T00:00:00+00:00",
            ["changeSource"] = "files",
            ["files"] = new JsonObject { ["old.yaml"] = Yaml.InvalidVirtualService("old") },
            ["applied"] = new JsonArray(),
            ["entries"] = new JsonArray(),
        }.ToJsonString());
        File.WriteAllText(Path.Combine(options.ConfigDirectory, "broken.yaml"), Yaml.InvalidVirtualService("broken"));
        await using var restarted = await TestControlPlane.StartAsync(options);

        var status = await restarted.Admin.GetJsonAsync("/api/v1/config/status");
        Assert.False(status["accepted"]!.GetValue<bool>());
        var sources = status["rejected"]!.AsArray().Select(r => r!["source"]!.GetValue<string>()).ToList();
        Assert.Equal(2, sources.Count);
        Assert.Equal("broken.yaml", sources[0]);
        Assert.StartsWith("last accepted configuration", sources[1], StringComparison.Ordinal);

        // Generations go on from the journaled one.
        restarted.WriteConfigFile("reviews.yaml", Yaml.VirtualService("reviews"));
        File.Delete(Path.Combine(options.ConfigDirectory, "broken.yaml"));
        status = await Poll.ForAsync("an accepted configuration", () => restarted.Admin.GetJsonAsync("/api/v1/config/status"), s => s["accepted"]!.GetValue<bool>());
        Assert.Equal(8, status["generation"]!.GetValue<long>());
        Assert.Empty(status["rejected"]!.AsArray());
    }
}
