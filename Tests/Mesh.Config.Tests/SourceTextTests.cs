using Mesh.Config.Loading;

namespace Mesh.Config.Tests;

/// <summary>Each parsed object keeps its own document's text (what `get` shows and the store persists).</summary>
public sealed class SourceTextTests
{
    [Fact]
    public void Each_document_keeps_its_own_text_without_separators()
    {
        const string text = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v1}
            ---
            # the ratings route
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: ratings
            spec:
              hosts: [ratings]
              http:
              - route:
                - destination: {host: ratings}
            ...
            """;

        var result = ConfigParser.Parse(text, "test.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Objects.Count);
        Assert.StartsWith("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews", result.Objects[0].SourceText, StringComparison.Ordinal);
        Assert.DoesNotContain("---", result.Objects[0].SourceText, StringComparison.Ordinal);
        Assert.DoesNotContain("ratings", result.Objects[0].SourceText, StringComparison.Ordinal);
        Assert.EndsWith("- destination: {host: ratings}\n", result.Objects[1].SourceText, StringComparison.Ordinal);
        Assert.Equal(result.Objects[1].Key, ConfigParser.Parse(result.Objects[1].SourceText, "again").Objects.Single().Key);
    }
}
