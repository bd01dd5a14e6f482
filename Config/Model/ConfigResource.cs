namespace Mesh.Config.Model;

/// <summary>A typed view of a <see cref="ConfigObject"/>: its metadata with the spec already cast.</summary>
public sealed record ConfigResource<TSpec>(ConfigObject Object, TSpec Spec) where TSpec : class
{
    public string Name => Object.Metadata.Name;

    public string Namespace => Object.Metadata.Namespace;

    public ConfigMetadata Metadata => Object.Metadata;

    /// <summary><c>name.namespace</c>, the form Istio uses in diagnostics.</summary>
    public string QualifiedName => $"{Name}.{Namespace}";
}
