using Mesh.Config.Loading;

namespace Mesh.Config.Tests;

/// <summary>The namespace a parse applies objects to (kubectl's <c>-n</c>).</summary>
public sealed class ParserNamespaceTests
{
    private const string TwoDocuments = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec: {host: reviews}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings, namespace: foo}
        spec: {host: ratings}
        """;

    [Fact]
    public void Without_a_namespace_objects_that_name_none_are_in_default()
    {
        var parsed = ConfigParser.Parse(TwoDocuments, "a.yaml");

        Assert.Empty(parsed.Errors);
        Assert.Equal(["default/reviews", "foo/ratings"], parsed.Objects.Select(o => $"{o.Metadata.Namespace}/{o.Metadata.Name}"));
    }

    [Fact]
    public void With_a_namespace_objects_that_name_none_get_it_and_the_same_namespace_named_is_fine()
    {
        var parsed = ConfigParser.Parse(TwoDocuments, "a.yaml", "foo");

        Assert.Empty(parsed.Errors);
        Assert.Equal(["foo/reviews", "foo/ratings"], parsed.Objects.Select(o => $"{o.Metadata.Namespace}/{o.Metadata.Name}"));
    }

    [Fact]
    public void An_object_naming_another_namespace_is_an_error_at_metadata_namespace()
    {
        var parsed = ConfigParser.Parse(TwoDocuments, "a.yaml", "bar");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("metadata.namespace", error.Path);
        Assert.Equal(2, error.Source.DocumentIndex);
        Assert.Contains("the namespace 'foo' does not match the namespace 'bar'", error.Message, StringComparison.Ordinal);
    }
}
