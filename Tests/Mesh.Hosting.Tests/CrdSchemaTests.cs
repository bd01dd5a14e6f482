using System.Text.Json.Nodes;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Hosting.Kubernetes;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>
/// The CRD schemas generated from the Mesh.Config records accept what our parser accepts: every
/// sample mesh config in the repository validates against them, and structurally wrong documents
/// (wrong types, unknown fields, bad enum values or durations) are rejected by both.
/// </summary>
public sealed class CrdSchemaTests
{
    public static TheoryData<string> SampleFiles() => new(SamplePaths());

    // Relative to the repository root: mesh-config/** (what the AppHost loads) and samples/**.
    private static IEnumerable<string> SamplePaths() =>
        RepositoryPaths.ConfigFolders.Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories))
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Every_sample_mesh_config_validates_against_the_generated_CRDs(string sample)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, sample));
        var documents = YamlJson.Documents(text);
        if (documents.All(d => d?["kind"] is null))
        {
            return; // Istio MeshConfig fragments (samples/extauthz/mesh-config-*.yaml) are not API objects.
        }

        Assert.NotEmpty(documents);
        // Istio kinds against the CRDs the mesh generates; other kinds (Gateway API, Service) have
        // their projects' schemas, which the npm validator checks (Every_sample_is_real_...).
        foreach (var document in documents.Where(d => KindOf(d!).IsIstio))
        {
            Assert.Empty(SchemaErrors(document!));
        }

        Assert.True(ConfigParser.Parse(text, sample).Succeeded);
    }

    [Fact]
    public void There_are_samples_of_several_kinds()
    {
        var kinds = SamplePaths().SelectMany(f => YamlJson.Documents(File.ReadAllText(Path.Combine(RepositoryPaths.Root, f))))
            .Where(d => d?["kind"] is not null).Select(d => d!["kind"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "VirtualService", "DestinationRule", "Gateway" }, kinds);
        Assert.Contains(SamplePaths(), p => p.StartsWith("mesh-config/", StringComparison.Ordinal));
        Assert.Contains(SamplePaths(), p => p.StartsWith("samples/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("weight: 80", "weight: \"eighty\"", "/spec/http/0/route/0/weight")]
    [InlineData("weight: 80", "weigth: 80", "/spec/http/0/route/0")]
    [InlineData("timeout: 10s", "timeout: 10 seconds", "/spec/http/0/timeout")]
    [InlineData("timeout: 10s", "timeout: [10s]", "/spec/http/0/timeout")]
    [InlineData("hosts:\n  - reviews", "hosts: reviews", "/spec/hosts")]
    public void Structurally_wrong_documents_are_rejected_by_the_schema_and_the_parser(string original, string replacement, string location)
    {
        const string Valid = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
            spec:
              hosts:
              - reviews
              http:
              - timeout: 10s
                route:
                - destination:
                    host: reviews
                    subset: v1
                  weight: 80
                - destination:
                    host: reviews
                    subset: v2
                  weight: 20
            """;
        var valid = Valid;
        Assert.Empty(SchemaErrors(YamlJson.Documents(valid)[0]!));
        Assert.True(ConfigParser.Parse(valid, "valid").Succeeded);

        var broken = original.StartsWith("hosts", StringComparison.Ordinal)
            ? valid.Replace("hosts:\n  - reviews\n  http", "hosts: reviews\n  http", StringComparison.Ordinal)
            : valid.Replace(original, replacement, StringComparison.Ordinal);
        Assert.NotEqual(valid, broken);
        var errors = SchemaErrors(YamlJson.Documents(broken)[0]!);
        Assert.Contains(errors, e => e.StartsWith(location, StringComparison.Ordinal));
        Assert.False(ConfigParser.Parse(broken, "broken").Succeeded);
    }

    [Fact]
    public void Enums_are_Istio_names_and_oneof_members_are_plain_properties()
    {
        var rule = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer:
                  simple: LEAST_REQUEST
            """;
        Assert.Empty(SchemaErrors(YamlJson.Documents(rule)[0]!));
        var errors = SchemaErrors(YamlJson.Documents(rule.Replace("LEAST_REQUEST", "FASTEST", StringComparison.Ordinal))[0]!);
        Assert.Contains(errors, e => e.StartsWith("/spec/trafficPolicy/loadBalancer/simple", StringComparison.Ordinal));

        var schema = CrdManifests.For(ConfigKinds.VirtualService).Spec.Versions[0].Schema.OpenAPIV3Schema;
        var uri = schema.Properties["spec"].Properties["http"].Items is k8s.Models.V1JSONSchemaProps http
            ? http.Properties["match"].Items is k8s.Models.V1JSONSchemaProps match ? match.Properties["uri"] : null
            : null;
        Assert.NotNull(uri);
        Assert.Equal(["exact", "prefix", "regex"], uri!.Properties.Keys.Order());
    }

    [Theory]
    [InlineData("1s", true)]
    [InlineData("0.5s", true)]
    [InlineData("1h30m", true)]
    [InlineData("100ms", true)]
    [InlineData("0", true)]
    [InlineData("1.5.3s", false)]
    [InlineData("10", false)]
    [InlineData("s", false)]
    public void The_duration_pattern_matches_what_the_parser_accepts(string text, bool valid)
    {
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(text, CrdSchemaGenerator.DurationPattern));
        Assert.Equal(valid, IstioDuration.TryParse(text, out _));
    }

    [Fact]
    public async Task Every_sample_is_real_Istio_and_Gateway_API_YAML_by_their_own_CRD_schemas()
    {
        var (exitCode, output) = await NodeValidator.RunAsync([.. RepositoryPaths.ConfigFolders.Where(Directory.Exists)]);
        Assert.True(exitCode == 0, output);
    }

    private static IReadOnlyList<string> SchemaErrors(JsonNode document) =>
        CrdSchemas.Errors(CrdSchemas.For(CrdManifests.For(KindOf(document))), document);

    private static ConfigKind KindOf(JsonNode document) =>
        ConfigKinds.FindDocumentKind(document["apiVersion"]?.GetValue<string>(), document["kind"]!.GetValue<string>())!;
}
