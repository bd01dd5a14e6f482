using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>
/// Every error of a text in one run, each at its own document and line: the three parse defects
/// found trying Istio's own configuration (an escaping YamlDotNet exception, a tab reported as
/// document 1 line 1, and one unknown field hiding the document's other errors).
/// </summary>
public sealed class ParserErrorReportingTests
{
    private const string Vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\nspec:\n";

    private static List<string> Errors(string yaml) =>
        [.. ConfigValidator.ValidateParsed(ConfigParser.Parse(yaml, "f.yaml")).Select(e => e.ToString())];

    [Theory]
    [InlineData(Vs + "  hosts: [a, b\n  http:\n  - x\n", 7)]  // the parser's own exception type, not a YamlException
    [InlineData("a:\n  - [b,\n c\n", 3)]
    [InlineData(Vs + "  hosts: [a, b\n    gateways: [c]\n", 7)]
    public void An_unclosed_flow_collection_is_a_syntax_error_at_its_line(string yaml, int line)
    {
        var error = Assert.Single(ConfigParser.Parse(yaml, "f.yaml").Errors);

        Assert.Equal(line, error.Line);
        Assert.StartsWith($"f.yaml (document 1, line {line}): YAML syntax error at line {line}, column ", error.ToString());
    }

    [Fact]
    public void A_tab_in_a_later_document_is_reported_at_that_document_and_line()
    {
        var yaml = Vs + "  hosts: [a]\n  http: [{route: [{destination: {host: a}}]}]\n---\n" + Vs.Replace("name: r", "name: s") + "\thosts: [a]\n";

        var error = Assert.Single(Errors(yaml));

        Assert.Equal("f.yaml (document 2, line 14): YAML syntax error at line 14, column 1: While scanning a mapping, found invalid tab as indentation.", error);
    }

    [Fact]
    public void A_syntax_error_in_one_document_does_not_hide_the_errors_of_the_others()
    {
        var yaml = Vs + "  hosts: [a\n---\n" + Vs + "  hosts: [a]\n  http: [{route: [{destination: {host: a}, weight: -1}]}]\n---\n" + Vs.Replace("name: r", "name: t") + "  hosts: [a]\n  http: [{route: [{destination: {host: a}}]}]\n";

        var result = ConfigParser.Parse(yaml, "f.yaml");
        var errors = ConfigValidator.ValidateParsed(result).Select(e => e.ToString()).ToList();

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("f.yaml (document 1, line 7): YAML syntax error", errors[0]);
        Assert.Equal("f.yaml (document 2, line 14) VirtualService/r: spec.http[0].route[0].weight: weight -1 < 0", errors[1]);
        Assert.Equal(["r", "t"], result.Objects.Select(o => o.Metadata.Name)); // documents 2 and 3 parsed; the caller rejects the text as a whole
    }

    [Fact]
    public void Unknown_fields_and_rule_violations_of_one_document_are_all_reported_together()
    {
        var yaml = Vs + "  hosts: [a]\n  gatways: [g]\n  http:\n  - foo: 1\n    timeout: 0.0001ms\n    route:\n    - destination: {host: a}\n      weight: -5\n    - destination: {host: a, subset: \"v 1\"}\n      wieght: 10\n";

        var errors = Errors(yaml);

        Assert.Equal(
        [
            "f.yaml (document 1, line 7) VirtualService/r: spec.gatways: unknown field \"gatways\"",
            "f.yaml (document 1, line 9) VirtualService/r: spec.http[0].foo: unknown field \"foo\"",
            "f.yaml (document 1, line 15) VirtualService/r: spec.http[0].route[1].wieght: unknown field \"wieght\"",
            "f.yaml (document 1, line 13) VirtualService/r: spec.http[0].route[0].weight: weight -5 < 0",
            "f.yaml (document 1, line 10) VirtualService/r: spec.http[0].timeout: duration must be greater than 1ms",
        ], errors.Where(e => !e.Contains("subset", StringComparison.Ordinal)));
        Assert.Contains(errors, e => e.StartsWith("f.yaml (document 1, line 14) VirtualService/r: spec.http[0].route[1].destination.subset:", StringComparison.Ordinal));
        Assert.Empty(ConfigParser.Parse(yaml, "f.yaml").Objects); // an incomplete object is never accepted
    }

    [Fact]
    public void Errors_that_only_follow_from_a_parse_error_are_not_reported_twice()
    {
        // `route` has the wrong type: "a route is required" for the same rule would only repeat it.
        var errors = Errors(Vs + "  hosts: [a]\n  http:\n  - route: {destination: {host: a}}\n");

        Assert.Equal(["f.yaml (document 1, line 8) VirtualService/r: spec.http[0].route: expected a list, got a mapping"], errors);
    }

    [Fact]
    public void Map_keys_with_dots_or_special_characters_are_quoted_in_field_paths()
    {
        var yaml = Vs + "  hosts: [a]\n  http:\n  - match: [{headers: {\"x.user\": {regex: \"(\"}, \":authority\": {prefix: \"\"}}}]\n    route: [{destination: {host: a}}]\n"
            + "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: a\n  subsets: [{name: v1, labels: {\"app.kubernetes.io/name\": \"a b\"}}]\n";

        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Contains("spec.http[0].match[0].headers[\"x.user\"].regex: invalid regex", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.http[0].match[0].headers[\":authority\"].prefix: prefix string match should not be empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.subsets[0].labels[\"app.kubernetes.io/name\"]: invalid label value \"a b\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("spec.http[0].route", "spec.http[0].route")]
    [InlineData("headers[\"a.b\\\"c\"].exact", "headers[\"a.b\\\"c\"].exact")]
    public void Field_paths_resolve_back_to_their_segments(string path, string again)
    {
        var segments = SourceLines.Segments(path).ToList();
        var rebuilt = "";
        foreach (var segment in segments)
        {
            rebuilt = segment is int index ? FieldPath.Index(rebuilt, index) : FieldPath.Key(rebuilt, (string)segment);
        }

        Assert.Equal(again, rebuilt);
    }

    [Fact]
    public void Lines_count_from_the_start_of_the_text_across_documents_comments_and_lists()
    {
        var yaml = "# leading comment\n\n---\n" + Vs + "  hosts: [a]\n  http:\n  - route: [{destination: {host: a}}]\n    retries: {attempts: -1}\n"
            + "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.istio.io/v1\n  kind: VirtualService\n  metadata: {name: x}\n  spec: {hosts: [a], bogus: 1}\n";

        var errors = Errors(yaml);

        Assert.Equal(
        [
            "f.yaml (document 2, line 20) VirtualService/x: items[0].spec.bogus: unknown field \"bogus\"",
            "f.yaml (document 1, line 12) VirtualService/r: spec.http[0].retries.attempts: attempts cannot be negative",
        ], errors.Where(e => !e.Contains("http, tcp or tls", StringComparison.Ordinal)));
    }
}
