namespace Mesh.Config.Model;

/// <summary>
/// One supported Istio resource kind: its API group and versions, the plural used in API
/// paths, the short names kubectl accepts, and the C# record its spec binds to.
/// </summary>
public sealed record ConfigKind(string Kind, string Group, IReadOnlyList<string> Versions, string Plural, IReadOnlyList<string> ShortNames, Type SpecType)
{
    /// <summary>The preferred (newest) apiVersion, used when writing YAML.</summary>
    public string PreferredApiVersion => $"{Group}/{Versions[0]}";

    public bool SupportsApiVersion(string apiVersion) =>
        Versions.Any(v => string.Equals(apiVersion, $"{Group}/{v}", StringComparison.Ordinal));
}
