namespace Mesh.Config.Model;

/// <summary>
/// One accepted Istio-format resource: its identity, where it came from and its typed spec
/// (for example a <c>VirtualServiceConfig</c> record; see <see cref="ConfigKinds"/>).
/// </summary>
public sealed record ConfigObject(string ApiVersion, string Kind, ConfigMetadata Metadata, object Spec, ConfigSource Source)
{
    /// <summary>Store key: <c>Kind/namespace/name</c>.</summary>
    public string Key => $"{Kind}/{Metadata.Namespace}/{Metadata.Name}";

    /// <summary>
    /// The document's YAML as the user wrote it (for <c>get</c> and persistence). Objects built
    /// in code or expanded from a <c>List</c> carry <see cref="ConfigSerializer"/>
    /// generated YAML instead; empty when unknown.
    /// </summary>
    public string SourceText { get; init; } = "";

    /// <summary>The spec as <typeparamref name="TSpec"/>; throws when the kind does not match.</summary>
    public TSpec SpecAs<TSpec>() where TSpec : class =>
        Spec as TSpec ?? throw new InvalidOperationException($"{Key} has a {Spec.GetType().Name} spec, not {typeof(TSpec).Name}");
}

public sealed record ConfigMetadata(string Name, string Namespace)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = Common.ValueMap<string>.Empty;

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = Common.ValueMap<string>.Empty;

    // Records compare dictionaries by reference; compare them by content so a re-parsed
    // object equals the original.
    public bool Equals(ConfigMetadata? other) =>
        other is not null
        && Name == other.Name
        && Namespace == other.Namespace
        && SameEntries(Labels, other.Labels)
        && SameEntries(Annotations, other.Annotations);

    public override int GetHashCode() => HashCode.Combine(Name, Namespace, Labels.Count, Annotations.Count);

    private static bool SameEntries(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(e => b.TryGetValue(e.Key, out var v) && v == e.Value);
}

/// <summary>
/// Where a document came from: a file path or an API request, and its 1-based index in that
/// stream (the first document is 1, as in error messages).
/// </summary>
public sealed record ConfigSource(string Origin, int DocumentIndex);
