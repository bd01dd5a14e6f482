using System.Text;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;
using Xunit.Abstractions;

namespace Mesh.Config.Tests;

/// <summary>
/// Property tests of the parser on hostile input: random mutations of the repository's real
/// configuration (samples/, mesh-config/), random bytes and token soup. For every input no
/// exception escapes parsing or validation, every error is one line that names a document and
/// line inside the text, and whatever is accepted serializes and parses back to itself.
/// Deterministic: each case has a fixed seed, printed when it fails. MESH_FUZZ_ITERATIONS
/// raises the number of mutations for a longer run.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("MESH_FUZZ_ITERATIONS"), out var configured) && configured > 0 ? configured : 3_000;

    private static readonly string[] Fragments =
    [
        "[", "]", "{", "}", ":", ": ", ",", "- ", "#", "&a ", "*a", "&b ", "*b", "!", "!!str ", "!!binary ", "!foo ", "|", ">-", "'", "\"",
        "%YAML 1.2\n", "---\n", "--- ", "...\n", "? ", "<<: *a\n", "\t", "\n", "\r\n", "  ", "\\", "@", "`", "~", "null", "\u0000", "\ufeff",
        "\ud800", "é", "\u2028", "0x1F", "1e400", "-1", "99999999999999999999", ".inf", "1h30m", "\"\\u0000\"", "'''", "{a: [b, {c: d}]}",
        "spec:", "http:", "route:", "destination:", "host: ", "weight: ", "metadata:", "name: ", "kind: List\nitems:\n",
    ];

    public static IEnumerable<object[]> Corpus() =>
        CorpusFiles().Select(f => new object[] { Path.GetRelativePath(RepositoryFiles.Root, f) });

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Each_seed_file_as_it_is_satisfies_the_properties(string file) =>
        Check(File.ReadAllText(Path.Combine(RepositoryFiles.Root, file)), file);

    [Fact]
    public void Random_mutations_of_real_configuration_never_escape_and_errors_stay_located()
    {
        var corpus = CorpusFiles().Select(File.ReadAllText).ToArray();
        var accepted = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var random = new Random(i);
            var text = corpus[random.Next(corpus.Length)];
            var mutations = 1 + random.Next(5);
            for (var m = 0; m < mutations; m++)
            {
                text = Mutate(text, random, corpus);
            }

            accepted += Check(text, $"mutation seed {i}");
        }

        output.WriteLine($"{Iterations} mutated texts parsed; {accepted} objects accepted and round-tripped");
    }

    [Fact]
    public void Random_bytes_and_token_soup_never_escape()
    {
        for (var i = 0; i < Iterations; i++)
        {
            var random = new Random(1_000_000 + i);
            var bytes = new byte[random.Next(2_000)];
            random.NextBytes(bytes);
            Check(Encoding.UTF8.GetString(bytes), $"bytes seed {i} (UTF-8)");
            Check(Encoding.Latin1.GetString(bytes), $"bytes seed {i} (Latin-1)");

            var soup = new StringBuilder();
            for (var t = random.Next(200); t > 0; t--)
            {
                soup.Append(Fragments[random.Next(Fragments.Length)]);
                soup.Append(random.Next(4) == 0 ? "\n" + new string(' ', random.Next(8)) : "");
            }

            Check(soup.ToString(), $"soup seed {i}");
        }

        output.WriteLine($"{Iterations * 3} random texts parsed");
    }

    /// <summary>Parses and validates; asserts the properties; returns how many objects were accepted.</summary>
    private static int Check(string text, string label)
    {
        ConfigParseResult result;
        IReadOnlyList<ConfigError> errors;
        try
        {
            result = ConfigParser.Parse(text, "fuzz.yaml");
            errors = ConfigValidator.ValidateParsed(result);
        }
        catch (Exception ex)
        {
            Assert.Fail($"{label}: {ex.GetType().Name} escaped: {ex.Message}\n--- input ---\n{text}");
            throw;
        }

        var lines = YamlLines.Count(text) + 1;
        var documents = YamlLines.Enumerate(text).Count(l => l.Text.StartsWith("---", StringComparison.Ordinal) || l.Text.StartsWith("...", StringComparison.Ordinal)) + 1;
        foreach (var error in errors)
        {
            var formatted = error.ToString();
            Assert.True(!formatted.Contains('\n') && !formatted.Contains('\r'), $"{label}: error spans lines: {formatted}");
            Assert.True(error.Line >= 0 && error.Line <= lines, $"{label}: line {error.Line} outside the text: {formatted}");
            Assert.True(error.Source.DocumentIndex >= 0 && error.Source.DocumentIndex <= documents, $"{label}: document {error.Source.DocumentIndex} of {documents}: {formatted}");
        }

        foreach (var configObject in result.Objects)
        {
            var again = ConfigParser.Parse(ConfigSerializer.ToYaml(configObject), "serialized");
            Assert.True(again.Succeeded, $"{label}: the serialized object does not parse: {string.Join("; ", again.Errors)}\n--- input ---\n{text}");
            Assert.True(Equals(configObject.Spec, again.Objects.Single().Spec), $"{label}: the spec changed in a round trip\n--- input ---\n{text}");
        }

        return result.Objects.Count;
    }

    private static string Mutate(string text, Random random, string[] corpus)
    {
        if (text.Length == 0)
        {
            return Fragments[random.Next(Fragments.Length)];
        }

        var at = random.Next(text.Length);
        var length = Math.Min(text.Length - at, 1 + random.Next(40));
        var lines = text.Split('\n');
        var line = random.Next(lines.Length);
        switch (random.Next(9))
        {
            case 0: // replace one character
                return text[..at] + Fragments[random.Next(Fragments.Length)][0] + text[(at + 1)..];
            case 1: // insert a fragment
                return text[..at] + Fragments[random.Next(Fragments.Length)] + text[at..];
            case 2: // delete a range
                return text[..at] + text[(at + length)..];
            case 3: // duplicate a range
                return text[..(at + length)] + text[at..];
            case 4: // re-indent a line
                lines[line] = random.Next(2) == 0 ? new string(' ', random.Next(1, 6)) + lines[line] : lines[line].TrimStart();
                return string.Join('\n', lines);
            case 5: // swap two lines
                var other = random.Next(lines.Length);
                (lines[line], lines[other]) = (lines[other], lines[line]);
                return string.Join('\n', lines);
            case 6: // truncate
                return text[..at];
            case 7: // splice in part of another file
                var donor = corpus[random.Next(corpus.Length)];
                var from = random.Next(donor.Length);
                return text[..at] + donor[from..Math.Min(donor.Length, from + 1 + random.Next(200))] + text[at..];
            default: // a tab or a marker at the start of a line
                lines[line] = (random.Next(2) == 0 ? "\t" : "--- ") + lines[line];
                return string.Join('\n', lines);
        }
    }

    private static IEnumerable<string> CorpusFiles() =>
        new[] { "samples", "mesh-config" }
            .Select(d => Path.Combine(RepositoryFiles.Root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
