using Mesh.Config.Model;

namespace Mesh.Config.Loading;

/// <summary>The objects a text parsed into, and every problem found (empty when the text is well-formed).</summary>
public sealed record ConfigParseResult(IReadOnlyList<ConfigObject> Objects, IReadOnlyList<ConfigError> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
