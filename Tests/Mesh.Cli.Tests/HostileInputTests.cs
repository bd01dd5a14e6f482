using System.Text;

namespace Mesh.Cli.Tests;

/// <summary>
/// meshctl's own entry point on input built to break a YAML parser: every case ends in
/// "error: ..." lines naming the file, document and line, exit code 1, and no stack trace.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private const string Vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mesh-cli-tests", Guid.NewGuid().ToString("N"));

    public HostileInputTests() => Directory.CreateDirectory(_directory);

    public static TheoryData<string, string> Inputs() => new()
    {
        { Vs + "  hosts: [a, b\n  http:\n  - x\n", "x.yaml (document 1, line 7): YAML syntax error at line 7" },
        { Vs + "  hosts: [a]\n---\n" + Vs + "\thosts: [a]\n", "x.yaml (document 2, line 13): YAML syntax error at line 13, column 1: While scanning a mapping, found invalid tab as indentation." },
        { new string('[', 200_000), "nests deeper than 64 levels" },
        { Vs + "  hosts: [r]\n  http: &h [{route: [{destination: {host: r}}], mirrors: *h}]\n", "x.yaml (document 1, line 7) VirtualService/r: spec.http[0].mirrors: a recursive alias: this node contains itself" },
        { Vs.Replace("spec:\n", "spec: &s\n", StringComparison.Ordinal) + "  hosts: [r]\n  http: [*s]\n", "spec.http[0]: a recursive alias: this node contains itself" },
        { "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: bomb}\nspec:\n  rules: [&r {from: [&s {source: {principals: [" + string.Join(",", Enumerable.Repeat("p", 1000)) + "]}}, " + string.Join(",", Enumerable.Repeat("*s", 999)) + "]}, " + string.Join(",", Enumerable.Repeat("*r", 999)) + "]\n", "expands to more than 200000 values" },
        { Vs + "  hosts: [\"\\ud800\"]\n", "x.yaml (document 1, line 6): YAML syntax error at line 6, column 11: While scanning a quoted scalar, found invalid Unicode surrogates." },
        { new string('#', 5 * 1024 * 1024), "x.yaml: the text is larger than 4 MiB" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Analyze_reports_hostile_input_as_errors_never_a_stack_trace(string content, string expected)
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "x.yaml"), content);

        var result = await ConfigCommandTests.Run(_directory, "analyze", "-f", "x.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_bytes_in_files_and_on_standard_input_are_errors_never_a_stack_trace()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var bytes = new byte[random.Next(1, 4_000)];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(_directory, "x.yaml"), bytes);

            var result = await ConfigCommandTests.Run(_directory, "analyze", "-f", "x.yaml");

            Assert.True(result.ExitCode is 0 or 1, $"seed {seed}: exit code {result.ExitCode}");
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unreadable_path_is_one_error_line()
    {
        var unreadable = Path.Combine(_directory, "locked.yaml");
        Directory.CreateDirectory(unreadable); // a directory named like a file: no yaml inside

        var result = await ConfigCommandTests.Run(_directory, "analyze", "-f", "locked.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: no *.yaml, *.yml or *.json files in directory locked.yaml{Environment.NewLine}", result.Error);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
