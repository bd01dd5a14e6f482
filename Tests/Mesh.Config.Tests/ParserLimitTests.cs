using System.Text;
using Mesh.Config.Loading;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>
/// Inputs built to exhaust the parser (deep nesting, huge documents, alias bombs, endless
/// documents) end in an error naming the limit, within bounded memory: the bound is the
/// parser's <see cref="ParserLimits"/>, checked here through the bytes a parse allocates.
/// </summary>
public sealed class ParserLimitTests
{
    private const string Vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n";

    // Far above what any limited parse needs, far below what the unbounded inputs would take.
    private const long MemoryBound = 512L * 1024 * 1024;

    public static TheoryData<string, string> DeepDocuments() => new()
    {
        { new string('[', 100_000), "nests deeper than 64 levels" },
        { string.Concat(Enumerable.Repeat("{a: ", 100_000)), "nests deeper than 64 levels" },
        { string.Concat(Enumerable.Repeat("- ", 100_000)) + "x", "nests deeper than 64 levels" },
        { string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i) + "k:\n")), "nests deeper than 64 levels" },
        { Vs + "  hosts: [" + string.Join(",", Enumerable.Repeat("a", 300_000)) + "]\n", "has more than 200000 values" },
    };

    [Theory]
    [MemberData(nameof(DeepDocuments))]
    public void Deep_or_huge_documents_stop_at_the_limit_with_a_located_error(string yaml, string expected)
    {
        var (errors, allocated) = Parse(yaml);

        var error = Assert.Single(errors);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Matches(@"^limits\.yaml \(document 1, line \d+\): YAML syntax error at line \d+, column \d+: ", error);
        Assert.True(allocated < MemoryBound, $"{allocated / (1024 * 1024)} MiB allocated");
    }

    [Fact]
    public void A_text_over_the_size_limit_is_refused_before_parsing()
    {
        var (errors, _) = Parse(new string('#', ParserLimits.MaxTextLength + 1));

        Assert.Equal(["limits.yaml: the text is larger than 4 MiB; split it into several files or requests"], errors);
    }

    [Fact]
    public void Reading_an_oversized_file_stops_one_character_past_the_limit()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mesh-big-{Guid.NewGuid():n}.yaml");
        try
        {
            using (var file = File.Create(path))
            {
                file.SetLength(64L * 1024 * 1024); // 64 MiB of NULs
            }

            var text = ConfigTextReader.ReadFile(path);

            Assert.Equal(ParserLimits.MaxTextLength + 1, text.Length);
            Assert.Contains("larger than 4 MiB", Assert.Single(ConfigParser.Parse(text, "big.yaml").Errors).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_billion_laughs_alias_bomb_is_cut_off_by_the_binding_budget()
    {
        // 1,000 rules x 1,000 sources x 1,000 principals = 10^9 values from a few kilobytes.
        var ten = string.Join(", ", Enumerable.Repeat("p", 1_000));
        var sources = string.Join(", ", Enumerable.Repeat("*s", 999));
        var rules = string.Join(", ", Enumerable.Repeat("*r", 999));
        var yaml = $"""
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {"{"}name: bomb{"}"}
            spec:
              rules: [&r {"{"}from: [&s {"{"}source: {"{"}principals: [{ten}]{"}"}{"}"}, {sources}]{"}"}, {rules}]
            """;

        var (errors, allocated) = Parse(yaml);

        Assert.Contains(errors, e => e.Contains("expands to more than 200000 values", StringComparison.Ordinal));
        Assert.True(errors.Count <= ParserLimits.MaxErrorsPerDocument + 1);
        Assert.True(allocated < MemoryBound, $"{allocated / (1024 * 1024)} MiB allocated");
    }

    [Theory]
    [InlineData("spec: &s\n  hosts: [r]\n  http: [*s]\n", "spec.http[0]")]
    [InlineData("spec:\n  hosts: [r]\n  http:\n  - &h\n    route: [*h]\n", "spec.http[0].route[0]")]
    public void A_recursive_alias_is_an_error_not_a_stack_overflow(string spec, string path)
    {
        var (errors, _) = Parse(Vs.Replace("spec:\n", "", StringComparison.Ordinal) + spec);

        Assert.Contains(errors, e => e.Contains($"{path}: a recursive alias: this node contains itself", StringComparison.Ordinal));
    }

    [Fact]
    public void Endless_documents_and_errors_are_capped()
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < 5_000; i++)
        {
            yaml.Append("---\nkind: Nope\nmetadata: {name: x}\n");
        }

        var (errors, allocated) = Parse(yaml.ToString());

        Assert.Equal(ParserLimits.MaxErrorsPerText + 1, errors.Count);
        Assert.Contains("more than 1000 errors; the documents from here on were not checked", errors[^1], StringComparison.Ordinal);
        Assert.True(allocated < MemoryBound, $"{allocated / (1024 * 1024)} MiB allocated");
    }

    [Fact]
    public void One_document_with_thousands_of_errors_reports_the_first_hundred_and_a_count()
    {
        var yaml = Vs + "  hosts: [r]\n  http: [{route: [{destination: {host: r}}]}]\n" + string.Concat(Enumerable.Range(0, 5_000).Select(i => $"  bad{i}: 1\n"));

        var (errors, _) = Parse(yaml);

        Assert.Equal(ParserLimits.MaxErrorsPerDocument + 1, errors.Count);
        Assert.EndsWith("... and 4900 more errors in this document", errors[^1], StringComparison.Ordinal);
    }

    private static (List<string> Errors, long Allocated) Parse(string yaml)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = ConfigParser.Parse(yaml, "limits.yaml");
        var errors = ConfigValidator.ValidateParsed(result).Select(e => e.ToString()).ToList();
        return (errors, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
