using Mesh.Cli.Commands;
using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

/// <summary>apply, get, delete and analyze against a real control plane, in-process.</summary>
public sealed class ConfigCommandTests
{
    [Fact]
    public async Task Apply_validates_locally_prints_every_error_and_sends_nothing()
    {
        await using var host = await CliHost.StartAsync();
        var file = host.WriteFile("bad/vs.yaml", Samples.VirtualService("reviews") + "---\n" + Samples.Invalid);

        var result = await host.RunAsync("apply", "-f", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("validation error(s); nothing was applied", result.Error);
        Assert.Contains($"{file} (document 2, line 28) VirtualService/broken: spec.http[0].route[1].wieght: ", result.Error);
        Assert.DoesNotContain("   at ", result.Error); // no stack trace
        var list = await host.RunAsync("get", "vs");
        Assert.Contains("No resources found.", list.Error);
    }

    [Fact]
    public async Task Apply_a_directory_recursively_then_get_lists_it_like_kubectl()
    {
        await using var host = await CliHost.StartAsync();
        host.WriteFile("mesh/reviews.yaml", Samples.VirtualService("reviews"));
        host.WriteFile("mesh/rules/reviews-dr.yml", Samples.DestinationRule("reviews"));
        host.WriteFile("mesh/.hidden/ignored.yaml", "not: [valid");

        var apply = await host.RunInAsync(host.WorkDirectory, "apply", "-f", "mesh");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("VirtualService/default/reviews applied", apply.Out);
        Assert.Contains("DestinationRule/default/reviews applied", apply.Out);
        Assert.Contains("configuration generation 1", apply.Out);

        var table = await host.RunAsync("get", "virtualservices");
        Assert.Equal(0, table.ExitCode);
        var lines = table.Out.TrimEnd().Split('\n');
        Assert.Matches(@"^NAME\s+NAMESPACE\s+SOURCE\s+GENERATION\s+AGE$", lines[0]);
        Assert.Matches(@"^reviews\s+default\s+api\s+1\s+\d+s$", lines[1]);

        var all = await host.RunAsync("get", "all");
        Assert.Contains("DestinationRule", all.Out);
        Assert.StartsWith("KIND", all.Out);

        var again = await host.RunInAsync(host.WorkDirectory, "apply", "-f", "mesh");
        Assert.Contains("VirtualService/default/reviews unchanged", again.Out);
    }

    [Fact]
    public async Task Get_one_object_as_yaml_json_or_a_row()
    {
        await using var host = await CliHost.StartAsync();
        await host.RunAsync("apply", "-f", host.WriteFile("vs.yaml", Samples.VirtualService("reviews", subset: "v3")));

        var yaml = await host.RunAsync("get", "vs", "reviews", "-o", "yaml");
        Assert.Equal(0, yaml.ExitCode);
        Assert.StartsWith("apiVersion: networking.istio.io/v1\nkind: VirtualService\n", yaml.Out);
        Assert.Contains("subset: v3", yaml.Out);

        var json = await host.RunAsync("get", "VirtualService", "reviews", "-n", "default", "-o", "json");
        Assert.Contains("\"subset\": \"v3\"", json.Out);

        var row = await host.RunAsync("get", "vs", "reviews");
        Assert.Matches(@"reviews\s+default\s+api", row.Out);

        var missing = await host.RunAsync("get", "vs", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: VirtualService/default/nope not found", missing.Error);

        var unknown = await host.RunAsync("get", "widgets");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown kind 'widgets'", unknown.Error);

        var badFormat = await host.RunAsync("get", "vs", "-o", "xml");
        Assert.NotEqual(0, badFormat.ExitCode);
    }

    [Fact]
    public async Task Delete_by_name_and_by_file_and_file_defined_objects_are_refused_with_the_file()
    {
        await using var host = await CliHost.StartAsync();
        var file = host.WriteFile("objects.yaml", Samples.VirtualService("reviews") + "---\n" + Samples.DestinationRule("reviews"));
        await host.RunAsync("apply", "-f", file);

        var byName = await host.RunAsync("delete", "vs", "reviews");
        Assert.True(byName.ExitCode == 0, byName.ToString());
        Assert.Contains("VirtualService/default/reviews deleted", byName.Out);

        var byFile = await host.RunAsync("delete", "-f", file);
        Assert.Equal(1, byFile.ExitCode); // the VirtualService is gone already
        Assert.Contains("not found: VirtualService/default/reviews", byFile.Error);

        var ignoring = await host.RunAsync("delete", "-f", file, "--ignore-not-found");
        Assert.True(ignoring.ExitCode == 0, ignoring.ToString());
        Assert.Contains("DestinationRule/default/reviews deleted", ignoring.Out);

        File.WriteAllText(Path.Combine(host.ConfigDirectory, "ratings.yaml"), Samples.VirtualService("ratings", host: "ratings"));
        var fileDefined = await Poll.ForAsync("meshctl delete vs ratings printing \"ratings.yaml\"", () => host.RunAsync("delete", "vs", "ratings"), r => r.Error.Contains("ratings.yaml", StringComparison.Ordinal));
        Assert.Equal(1, fileDefined.ExitCode);
        Assert.Contains("is defined in file 'ratings.yaml'", fileDefined.Error);

        var neither = await host.RunAsync("delete");
        Assert.Equal(1, neither.ExitCode);
        Assert.Contains("give either -f FILE|DIR or KIND NAME", neither.Error);
    }

    [Fact]
    public async Task Analyze_checks_files_locally_without_a_control_plane()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mesh-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "good.yaml"), Samples.VirtualService("reviews"));
            var ok = await Run(directory, "analyze", "-f", ".");
            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Contains("No validation issues found in 1 object(s)", ok.Out);

            File.WriteAllText(Path.Combine(directory, "bad.yaml"), Samples.Invalid);
            File.WriteAllText(Path.Combine(directory, "dup.yaml"), Samples.VirtualService("reviews", subset: "v2"));
            var bad = await Run(directory, "analyze", "-f", ".", "--server", "http://127.0.0.1:1");
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("3 validation error(s)", bad.Error); // an unknown field and a rule of the same document, and a duplicate across files
            Assert.Contains("bad.yaml (document 1, line 15) VirtualService/broken: spec.http[0].route[1].wieght: unknown field \"wieght\"", bad.Error);
            Assert.Contains("bad.yaml (document 1, line 12) VirtualService/broken: spec.http[0].route[0].weight: weight -1 < 0", bad.Error);
            Assert.Contains("VirtualService/reviews", bad.Error);

            var missing = await Run(directory, "analyze", "-f", "nope.yaml");
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("error: the path nope.yaml does not exist", missing.Error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task<CliResult> Run(string directory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await MeshCtl.RunAsync(args, new CliContext(output, error, _ => null, directory));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
