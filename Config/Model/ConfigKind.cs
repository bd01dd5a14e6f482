namespace Mesh.Config.Model;

/// <summary>
/// One supported resource kind: its API group and versions, the plural used in API paths, the
/// short names kubectl accepts, and the C# record its spec binds to.
/// </summary>
public sealed record ConfigKind(string Kind, string Group, IReadOnlyList<string> Versions, string Plural, IReadOnlyList<string> ShortNames, Type SpecType)
{
    /// <summary>
    /// The kind's unique name in the store: <see cref="ConfigObject.Kind"/>, object keys
    /// (<c>Id/namespace/name</c>), error messages and listings. The kind itself, qualified by its
    /// group where another supported group has a kind of the same name (the Gateway API's
    /// <c>Gateway.gateway.networking.k8s.io</c> beside Istio's <c>Gateway</c>), as kubectl
    /// qualifies ambiguous resources.
    /// </summary>
    public string Id { get; init; } = Kind;

    /// <summary>The top-level field that holds the spec: <c>spec</c>, or <c>data</c> for the mesh config ConfigMap.</summary>
    public string SpecField { get; init; } = "spec";

    /// <summary>Cluster-scoped kinds (GatewayClass) have no namespace: their objects are stored with an empty one.</summary>
    public bool ClusterScoped { get; init; }

    /// <summary>True for the Istio kinds, which the mesh's own CRDs define (other kinds' CRDs come from their projects or Kubernetes itself).</summary>
    public bool IsIstio => Group.EndsWith(".istio.io", StringComparison.Ordinal);

    /// <summary>The preferred (newest) apiVersion, used when writing YAML (<c>v1</c> for the core group).</summary>
    public string PreferredApiVersion => ApiVersion(Versions[0]);

    public bool SupportsApiVersion(string apiVersion) =>
        Versions.Any(v => string.Equals(apiVersion, ApiVersion(v), StringComparison.Ordinal));

    /// <summary><c>group/version</c>, or just the version for the core group (<c>v1</c>).</summary>
    public string ApiVersion(string version) => Group.Length == 0 ? version : $"{Group}/{version}";

    /// <summary>The group of an apiVersion (<c>""</c> for the core group's <c>v1</c>).</summary>
    public static string GroupOf(string apiVersion)
    {
        var slash = apiVersion.LastIndexOf('/');
        return slash < 0 ? "" : apiVersion[..slash];
    }
}
