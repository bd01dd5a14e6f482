namespace Mesh.Config.Loading;

/// <summary>
/// Caps that keep parsing bounded in memory and time whatever the input: the parser reports an
/// error when one is exceeded instead of reading on. Real Istio configuration is far below
/// every one of them (the deepest Istio field is about 12 levels down; a large VirtualService
/// has a few thousand values).
/// </summary>
internal static class ParserLimits
{
    /// <summary>Characters in one text (a file or a request body).</summary>
    public const int MaxTextLength = 4 * 1024 * 1024;

    /// <summary>Nesting of mappings and sequences in one document.</summary>
    public const int MaxDepth = 64;

    /// <summary>YAML nodes (scalars, mappings, sequences, aliases) in one document as written.</summary>
    public const int MaxNodesPerDocument = 200_000;

    /// <summary>Values bound into one object, counting each alias use again (defeats alias bombs).</summary>
    public const int MaxBoundValuesPerDocument = 200_000;

    /// <summary>Errors kept for one document; the rest are counted in one closing error.</summary>
    public const int MaxErrorsPerDocument = 100;

    /// <summary>Errors kept for one text; the rest are counted in one closing error.</summary>
    public const int MaxErrorsPerText = 1_000;
}
