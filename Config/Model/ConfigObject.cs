namespace Mesh.Config.Model;

/// <summary>
/// One accepted Istio-format resource: its identity, where it came from and its typed spec
/// (for example a <c>VirtualService</c> spec record).
/// </summary>
public sealed record ConfigObject(string ApiVersion, string Kind, ConfigMetadata Metadata, object Spec, ConfigSource Source)
{
    /// <summary>Store key: <c>Kind/namespace/name</c>.</summary>
    public string Key => $"{Kind}/{Metadata.Namespace}/{Metadata.Name}";
}

public sealed record ConfigMetadata(string Name, string Namespace)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>Where a document came from: a file path or an API request, and its index in that stream.</summary>
public sealed record ConfigSource(string Origin, int DocumentIndex);
