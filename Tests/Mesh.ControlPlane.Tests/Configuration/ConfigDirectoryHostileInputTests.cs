using System.Text;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Configuration;

/// <summary>
/// Files built to break a YAML parser in the watched config directory: at start-up and while
/// running, each is rejected with its file, document and line, the last good configuration
/// keeps serving, and the watcher keeps working (a fix afterwards is accepted).
/// </summary>
public sealed class ConfigDirectoryHostileInputTests
{
    private const string Vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: bad\nspec:\n";

    public static TheoryData<string, string> Inputs() => new()
    {
        { Vs + "  hosts: [a, b\n  http:\n  - x\n", "bad.yaml (document 1, line 7): YAML syntax error at line 7" },
        { new string('{', 500_000), "bad.yaml (document 1, line 1): YAML syntax error at line 1, column 65: the document nests deeper than 64 levels" },
        { Vs.Replace("spec:\n", "spec: &s\n", StringComparison.Ordinal) + "  hosts: [r]\n  http: [*s]\n", "spec.http[0]: a recursive alias: this node contains itself" },
        { "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: bad}\nspec:\n  rules: [&r {from: [&s {source: {principals: [" + string.Join(",", Enumerable.Repeat("p", 1000)) + "]}}, " + string.Join(",", Enumerable.Repeat("*s", 999)) + "]}, " + string.Join(",", Enumerable.Repeat("*r", 999)) + "]\n", "expands to more than 200000 values" },
        { new string('#', 6 * 1024 * 1024), "bad.yaml: the text is larger than 4 MiB" },
        { Encoding.Latin1.GetString(RandomBytes(7, 3_000)), "bad.yaml (document 1" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task A_hostile_file_is_rejected_and_the_watcher_keeps_serving_and_watching(string content, string expected)
    {
        await using var controlPlane = await TestControlPlane.StartAsync(StandIn.Options());
        controlPlane.WriteConfigFile("good.yaml", Yaml.VirtualService("reviews"));
        await Poll.ForAsync("config generation 1", controlPlane.Admin.GenerationAsync, g => g == 1);

        controlPlane.WriteConfigFile("bad.yaml", content);

        var status = await Poll.ForAsync("a lastError in the config status", () => controlPlane.Admin.GetJsonAsync("/api/v1/config/status"), s => s["lastError"] is not null);
        Assert.Equal(1, status["generation"]!.GetValue<long>());
        var errors = status["lastError"]!["errors"]!.AsArray().Select(e => e!["formatted"]!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));

        controlPlane.WriteConfigFile("bad.yaml", Yaml.VirtualService("ratings", host: "ratings"));
        await Poll.ForAsync("config generation 2", controlPlane.Admin.GenerationAsync, g => g == 2);
    }

    [Fact]
    public async Task The_control_plane_starts_with_hostile_files_in_the_directory_and_reports_them()
    {
        var options = StandIn.Options();
        Directory.CreateDirectory(options.ConfigDirectory);
        foreach (var (content, index) in Inputs().Select((row, i) => ((string)row[0], i)))
        {
            File.WriteAllText(Path.Combine(options.ConfigDirectory, $"bad{index}.yaml"), content);
        }

        await using var controlPlane = await TestControlPlane.StartAsync(options);

        var status = await controlPlane.Admin.GetJsonAsync("/api/v1/config/status");
        Assert.Equal(0, status["generation"]!.GetValue<long>());
        var origins = status["lastError"]!["errors"]!.AsArray().Select(e => e!["origin"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(Enumerable.Range(0, Inputs().Count).Select(i => $"bad{i}.yaml").ToHashSet(), origins);
    }

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
