using System.Net;
using System.Text.Json.Nodes;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Configuration;

/// <summary>Objects applied through the admin API: persisted across restarts, overriding files, delete rules.</summary>
public sealed class AppliedConfigTests
{
    [Fact]
    public async Task An_applied_object_survives_a_restart_on_the_same_data_directory()
    {
        var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        try
        {
            var (status, body) = await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.DestinationRule("reviews")));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("accepted", body["outcome"]!.GetValue<string>());
            Assert.Equal(1, body["generation"]!.GetValue<long>());
            Assert.Equal(["VirtualService/default/reviews", "DestinationRule/default/reviews"],
                body["keys"]!.AsArray().Select(k => k!.GetValue<string>()));

            controlPlane = await controlPlane.RestartAsync();

            var list = await controlPlane.Admin.GetJsonAsync("/api/v1/config");
            var items = list["items"]!.AsArray().Select(i => $"{i!["kind"]}/{i["name"]}@{i["source"]}").Order();
            Assert.Equal(["DestinationRule/reviews@api", "VirtualService/reviews@api"], items);
            var yaml = await controlPlane.Admin.GetStringAsync("/api/v1/config/dr/default/reviews?format=yaml");
            Assert.Contains("version: v1", yaml);
        }
        finally
        {
            await controlPlane.DisposeAsync();
        }
    }

    [Fact]
    public async Task Reapplying_identical_objects_does_not_bump_the_generation()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));

        var (status, body) = await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("unchanged", body["outcome"]!.GetValue<string>());
        Assert.Equal(1, body["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Applying_one_object_keeps_the_others_as_they_were_and_a_later_change_to_them_is_seen()
    {
        // The store does not serialize the objects an apply did not touch again: their entries
        // (generation, YAML) stay the previous generation's — until they change themselves.
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.DestinationRule("reviews"), Yaml.DestinationRule("ratings", host: "ratings")));
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews", subset: "v2"));
        var (status, body) = await controlPlane.Admin.ApplyAsync(Yaml.DestinationRule("ratings", host: "details"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body["generation"]!.GetValue<long>());

        var list = await controlPlane.Admin.GetJsonAsync("/api/v1/config");
        var generations = list["items"]!.AsArray().ToDictionary(i => $"{i!["kind"]}/{i["name"]}", i => i!["generation"]!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long> { ["DestinationRule/ratings"] = 3, ["DestinationRule/reviews"] = 1, ["VirtualService/reviews"] = 2 }, generations);
        Assert.Contains("subset: v2", await controlPlane.Admin.GetStringAsync("/api/v1/config/vs/default/reviews?format=yaml"));
        Assert.Contains("host: details", await controlPlane.Admin.GetStringAsync("/api/v1/config/dr/default/ratings?format=yaml"));
        Assert.Contains("host: reviews", await controlPlane.Admin.GetStringAsync("/api/v1/config/dr/default/reviews?format=yaml"));
    }

    [Fact]
    public async Task The_journal_records_each_applied_object_as_it_is_after_the_change()
    {
        // The journal takes an object's YAML from its entry rather than serializing every applied
        // object again: an object changed since must be recorded as changed, an untouched one as it was.
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.DestinationRule("ratings", host: "ratings")));
        await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews", subset: "v2"));
        await controlPlane.Admin.ApplyAsync(Yaml.DestinationRule("details", host: "details"));

        var journal = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(controlPlane.DataDirectory, "config", "accepted.json")))!;
        var applied = journal["applied"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal(3, journal["generation"]!.GetValue<long>());
        Assert.Equal(3, applied.Count);
        var reviews = Assert.Single(applied, a => a.Contains("name: reviews", StringComparison.Ordinal));
        Assert.Contains("subset: v2", reviews, StringComparison.Ordinal);
        Assert.DoesNotContain("subset: v1", reviews, StringComparison.Ordinal);
        Assert.Contains("host: ratings", Assert.Single(applied, a => a.Contains("name: ratings", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("host: details", Assert.Single(applied, a => a.Contains("name: details", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_applied_object_overrides_a_file_object_and_a_file_object_cannot_be_deleted_through_the_api()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        controlPlane.WriteConfigFile("routes/reviews.yaml", Yaml.VirtualService("reviews", subset: "v1"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        var (status, body) = await controlPlane.Admin.ApplyAsync(Yaml.VirtualService("reviews", subset: "v2"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("routes/reviews.yaml", body["message"]!.GetValue<string>());
        var item = (await controlPlane.Admin.GetJsonAsync("/api/v1/config/virtualservices")).AsObject()["items"]!.AsArray().Single()!;
        Assert.Equal("api", item["source"]!.GetValue<string>());
        Assert.Contains("subset: v2", await controlPlane.Admin.GetStringAsync("/api/v1/config/vs/default/reviews?format=yaml"));

        // Deleting the override reveals the file's definition again.
        (status, body) = await controlPlane.Admin.SendAsync(HttpMethod.Delete, "/api/v1/config/vs/default/reviews");
        Assert.Equal(HttpStatusCode.OK, status);
        item = (await controlPlane.Admin.GetJsonAsync("/api/v1/config/vs")).AsObject()["items"]!.AsArray().Single()!;
        Assert.Equal("routes/reviews.yaml", item["source"]!.GetValue<string>());

        // The file's object itself cannot be deleted through the API: 409 naming the file.
        (status, body) = await controlPlane.Admin.SendAsync(HttpMethod.Delete, "/api/v1/config/vs/default/reviews");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("routes/reviews.yaml", body["message"]!.GetValue<string>());
        Assert.Equal(3, await controlPlane.Admin.GenerationAsync());
    }

    [Fact]
    public async Task An_invalid_apply_is_rejected_whole_and_nothing_is_persisted()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());

        var (status, body) = await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.InvalidVirtualService("broken")));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid", body["outcome"]!.GetValue<string>());
        var error = body["errors"]!.AsArray().Single()!;
        Assert.Equal("api request", error["origin"]!.GetValue<string>());
        Assert.Equal(2, error["document"]!.GetValue<int>());
        Assert.Equal(Yaml.InvalidPath, error["path"]!.GetValue<string>());
        Assert.Equal(0, await controlPlane.Admin.GenerationAsync());
        Assert.False(Directory.Exists(Path.Combine(controlPlane.DataDirectory, "applied"))
            && Directory.EnumerateFiles(Path.Combine(controlPlane.DataDirectory, "applied")).Any());
        var lastError = (await controlPlane.Admin.GetJsonAsync("/api/v1/config/status"))["lastError"]!;
        Assert.Equal("api apply", lastError["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_by_yaml_removes_applied_objects_and_reports_missing_ones()
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        await controlPlane.Admin.ApplyAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.DestinationRule("reviews")));

        var (status, body) = await controlPlane.Admin.DeleteYamlAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.VirtualService("ghost")));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("VirtualService/default/ghost", body["message"]!.GetValue<string>());
        Assert.Equal(2, (await controlPlane.Admin.GetJsonAsync("/api/v1/config"))["items"]!.AsArray().Count);

        (status, body) = await controlPlane.Admin.DeleteYamlAsync(Yaml.Documents(Yaml.VirtualService("reviews"), Yaml.VirtualService("ghost")), ignoreNotFound: true);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["VirtualService/default/reviews"], body["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(["DestinationRule/default/reviews"],
            (await controlPlane.Admin.GetJsonAsync("/api/v1/config"))["items"]!.AsArray().Select(i => $"{i!["kind"]}/{i["namespace"]}/{i["name"]}"));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(controlPlane.DataDirectory, "applied")));
    }

    [Fact]
    public async Task A_persisted_file_that_no_longer_parses_is_moved_aside_and_reported()
    {
        var options = StandIn.Options();
        var applied = Path.Combine(options.DataDirectory, "applied");
        Directory.CreateDirectory(applied);
        File.WriteAllText(Path.Combine(applied, "virtualservice.default.reviews.yaml"), Yaml.VirtualService("reviews"));
        File.WriteAllText(Path.Combine(applied, "virtualservice.default.edited.yaml"), "kind: VirtualService\nspec: [");
        await using var controlPlane = await TestControlPlane.StartAsync(options);

        var status = await controlPlane.Admin.GetJsonAsync("/api/v1/config/status");

        Assert.Equal(1, status["objects"]!.GetValue<int>());
        var rejected = Assert.Single(status["rejected"]!.AsArray())!;
        Assert.Equal(Path.Combine(applied, "virtualservice.default.edited.yaml.invalid"), rejected["source"]!.GetValue<string>());
        Assert.Contains("virtualservice.default.edited.yaml", rejected["errors"]![0]!["origin"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(applied, "virtualservice.default.edited.yaml.invalid")));

        // Removing the moved-aside file clears the report.
        File.Delete(Path.Combine(applied, "virtualservice.default.edited.yaml.invalid"));
        Assert.Empty((await controlPlane.Admin.GetJsonAsync("/api/v1/config/status"))["rejected"]!.AsArray());
    }
}
