using System.Text.Json.Nodes;
using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

/// <summary>
/// Config health in meshctl: <c>status</c> lists the accepted generation and every refused source
/// with its errors; <c>get</c>, <c>proxy-status</c> and <c>version</c> warn while anything is refused;
/// all of it clears once the source is fixed.
/// </summary>
public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_lists_every_refused_source_with_its_errors_and_clears_when_the_files_are_fixed()
    {
        await using var host = await CliHost.StartAsync();
        File.WriteAllText(Path.Combine(host.ConfigDirectory, "reviews.yaml"), Samples.VirtualService("reviews"));
        var healthy = await Poll.ForAsync("meshctl status printing \"generation 1,\"", () => host.RunAsync("status"), r => r.Out.Contains("generation 1,", StringComparison.Ordinal));
        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.Contains("refused sources:  none", healthy.Out);
        Assert.Contains("(in sync)", healthy.Out);

        File.WriteAllText(Path.Combine(host.ConfigDirectory, "broken.yaml"), Samples.Invalid);
        File.WriteAllText(Path.Combine(host.ConfigDirectory, "also-broken.yaml"), Samples.VirtualService("details", host: "details").Replace("subset:", "subst:", StringComparison.Ordinal));
        var refused = await Poll.ForAsync("meshctl status printing \"refused sources:  2\"", () => host.RunAsync("status"), r => r.Out.Contains("refused sources:  2", StringComparison.Ordinal));

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("generation 1, 1 objects", refused.Out);
        Assert.Contains("holds a refused change; the last accepted files serve", refused.Out);
        Assert.Matches(@"(?m)^  also-broken\.yaml \(refused for \d+s\)$", refused.Out);
        Assert.Matches(@"(?m)^    also-broken\.yaml \(document 1, line 12\) VirtualService/details: spec\.http\[0\]\.route\[0\]\.destination\.subst: ", refused.Out);
        Assert.Matches(@"(?m)^  broken\.yaml \(refused for \d+s\)$", refused.Out);
        Assert.Matches(@"(?m)^    broken\.yaml \(document 1, line 15\) VirtualService/broken: spec\.http\[0\]\.route\[1\]\.wieght: unknown field ""wieght""$", refused.Out);
        Assert.DoesNotContain("last refused change", refused.Out); // the same errors, already listed by source

        // What get and proxy-status show is not what the files say: they warn on stderr, stdout stays parseable.
        const string Warning = "warning: 2 configuration source(s) refused (also-broken.yaml, broken.yaml); generation 1 keeps serving; run 'meshctl status' for the errors";
        var get = await host.RunAsync("get", "vs");
        Assert.Equal(0, get.ExitCode);
        Assert.Equal(Warning, get.Error.Trim());
        Assert.Contains("reviews", get.Out);
        var yaml = await host.RunAsync("get", "vs", "reviews", "-o", "yaml");
        Assert.StartsWith("apiVersion:", yaml.Out, StringComparison.Ordinal);
        Assert.Equal(Warning, yaml.Error.Trim());
        Assert.Contains(Warning, (await host.RunAsync("proxy-status")).Error);
        Assert.Contains(Warning, (await host.RunAsync("version")).Error);

        var json = JsonNode.Parse((await host.RunAsync("status", "-o", "json")).Out)!;
        Assert.Equal(["also-broken.yaml", "broken.yaml"], json["rejected"]!.AsArray().Select(r => r!["source"]!.GetValue<string>()));

        // Fixing one file leaves the other reported; fixing both clears everything.
        File.WriteAllText(Path.Combine(host.ConfigDirectory, "broken.yaml"), Samples.DestinationRule("reviews"));
        var one = await Poll.ForAsync("meshctl status printing \"refused sources:  1\"", () => host.RunAsync("status"), r => r.Out.Contains("refused sources:  1", StringComparison.Ordinal));
        Assert.DoesNotContain("  broken.yaml", one.Out);
        File.Delete(Path.Combine(host.ConfigDirectory, "also-broken.yaml"));
        // (An editor's save can be seen half-written: wait for both objects, not for a generation number.)
        var fixedStatus = await Poll.ForAsync("meshctl status printing \" 2 objects\"", () => host.RunAsync("status"), r => r.ExitCode == 0 && r.Out.Contains(" 2 objects", StringComparison.Ordinal));
        Assert.True(fixedStatus.ExitCode == 0, fixedStatus.ToString());
        Assert.Contains(" 2 objects", fixedStatus.Out);
        Assert.Contains("refused sources:  none", fixedStatus.Out);
        Assert.DoesNotContain("last refused change", fixedStatus.Out);
        Assert.Equal("", (await host.RunAsync("get", "all")).Error);
        Assert.Equal("", (await host.RunAsync("proxy-status")).Error.Replace("No proxies connected.", "", StringComparison.Ordinal).Trim());
    }

    [Fact]
    public async Task With_nothing_accepted_status_says_nothing_is_pushed_and_get_warns()
    {
        await using var host = await CliHost.StartAsync(new Dictionary<string, string>
        {
            ["reviews.yaml"] = Samples.VirtualService("reviews"),
            ["broken.yaml"] = Samples.Invalid,
        });

        var status = await host.RunAsync("status");

        Assert.True(status.ExitCode == 2, status.ToString());
        Assert.Contains("configuration:    NONE ACCEPTED: nothing is pushed to proxies and the control plane is not ready", status.Out);
        Assert.Contains("refused sources:  1", status.Out);
        Assert.Contains("broken.yaml (document 1, line 15) VirtualService/broken", status.Out);
        var get = await host.RunAsync("get", "all");
        Assert.Contains("warning: no configuration accepted yet, nothing is pushed to proxies; 1 source(s) refused (broken.yaml)", get.Error);
        Assert.Contains("(no configuration accepted)", (await host.RunAsync("version")).Out);
    }

    [Fact]
    public async Task A_refused_api_request_is_shown_until_a_later_change_is_accepted()
    {
        await using var host = await CliHost.StartAsync();
        using var admin = new HttpClient { BaseAddress = host.AdminUri };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(host.WorkDirectory, ".mesh-data", "admin-token")).Trim());

        // meshctl apply validates locally first; another client sends the invalid object.
        var refused = await admin.PostAsync("/api/v1/config", new StringContent(Samples.Invalid.Replace("wieght", "weight", StringComparison.Ordinal)));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);

        var status = await host.RunAsync("status");
        Assert.True(status.ExitCode == 0, status.ToString()); // nothing in the config sources is refused
        Assert.Matches(@"(?m)^  last refused change: api apply \(\d+s ago\)$", status.Out);
        Assert.Contains("    api request (document 1, line 12) VirtualService/broken: spec.http[0].route[0].weight: ", status.Out);

        Assert.Equal(0, (await host.RunAsync("apply", "-f", host.WriteFile("reviews.yaml", Samples.VirtualService("reviews")))).ExitCode);
        Assert.DoesNotContain("last refused change", (await host.RunAsync("status")).Out);
    }
}
