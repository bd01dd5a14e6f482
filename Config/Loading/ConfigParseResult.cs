using Mesh.Config.Model;

namespace Mesh.Config.Loading;

/// <summary>The objects a text parsed into, and every problem found (empty when the text is well-formed).</summary>
public sealed record ConfigParseResult(IReadOnlyList<ConfigObject> Objects, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Errors.Count == 0;

    /// <summary>
    /// Objects of documents that had structural errors, bound as far as they could be (unknown
    /// fields and values of the wrong type left out). Never to be applied: they exist so that
    /// <c>ConfigValidator.ValidateIncomplete</c> can report the document's other errors in the
    /// same run. <see cref="ConfigObject.ParseErrorPaths"/> says where binding failed.
    /// </summary>
    public IReadOnlyList<ConfigObject> Incomplete { get; init; } = [];
}
