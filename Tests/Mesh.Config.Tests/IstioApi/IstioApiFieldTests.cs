using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests.IstioApi;

/// <summary>
/// Mesh's records of Istio's kinds against Istio's own field list (istio-fields.tsv, from istio/api's CRDs): every
/// Istio field parses (never "unknown field"), no record field is invented, every field Mesh
/// refuses is refused by name, and docs/istio-api-fields.md matches what the code does.
/// </summary>
public sealed class IstioApiFieldTests
{
    private static readonly IReadOnlyList<IstioField> Fields = IstioFieldList.Load();

    private static string DocPath => Path.Combine(RepositoryFiles.Root, "docs", "istio-api-fields.md");

    [Fact]
    public void The_list_covers_every_supported_kind()
    {
        Assert.Equal(ConfigKinds.Istio.Select(k => k.Kind).Order(), Fields.Select(f => f.Kind.Kind).Distinct().Order());
    }

    [Fact]
    public void Every_istio_field_is_a_field_of_the_records()
    {
        var unknown = Fields.Where(f => IstioFieldList.Resolve(f.Kind, f.Path) is null).Select(f => $"{f.Kind.Kind} {f.Path}");

        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_record_field_is_an_istio_field()
    {
        var istio = Fields.Select(f => (f.Kind.Kind, f.Path)).ToHashSet();

        var invented = ConfigKinds.Istio.SelectMany(IstioFieldList.Walk).Where(f => !istio.Contains((f.Kind.Kind, f.Path))).Select(f => $"{f.Kind.Kind} {f.Path}");

        Assert.Empty(invented);
    }

    [Fact]
    public void A_document_setting_every_refused_field_is_refused_by_name_at_each_one()
    {
        foreach (var kind in ConfigKinds.Istio)
        {
            var refused = Fields.Where(f => f.Kind == kind && FieldTable.StatusOf(f, Fields) == FieldStatus.Refused).ToList();
            foreach (var field in refused)
            {
                var yaml = SampleDocuments.WithField(kind, field.Path, IstioFieldList.Resolve(kind, field.Path)!);
                var parsed = ConfigParser.Parse(yaml, "refused.yaml");
                var errors = ConfigValidator.ValidateParsed(parsed).Select(e => e.ToString()).ToList();

                var expected = $"{SampleDocuments.Concrete(field.Path)}: {IstioFieldList.Resolve(kind, field.Path)!.Name} is not supported: ";
                Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)),
                    $"{kind.Kind} {field.Path}: expected an error containing \"{expected}\"; got:\n  {string.Join("\n  ", errors)}\n--- document ---\n{yaml}");
                Assert.DoesNotContain(errors, e => e.Contains("unknown field", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Docs_field_table_matches_the_code()
    {
        var generated = FieldTable.Generate(Fields);
        var doc = File.ReadAllText(DocPath);
        var begin = doc.IndexOf(FieldTable.Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(FieldTable.End, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"docs/istio-api-fields.md has no generated section ({FieldTable.Begin})");
        var current = doc[begin..(end + FieldTable.End.Length)];
        if (current != generated && Environment.GetEnvironmentVariable("MESH_UPDATE_FIELD_TABLE") == "1")
        {
            File.WriteAllText(DocPath, doc[..begin] + generated + doc[(end + FieldTable.End.Length)..]);
            return;
        }

        Assert.True(current == generated,
            "docs/istio-api-fields.md is out of date with the records' field statuses; run the Config tests with MESH_UPDATE_FIELD_TABLE=1 to regenerate it");
    }
}
