namespace Mesh.Hosting.Kubernetes;

/// <summary>The recommended <c>app.kubernetes.io/*</c> labels every published object carries.</summary>
internal static class KubernetesLabels
{
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string Component = "app.kubernetes.io/component";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Name = "app.kubernetes.io/name";

    /// <summary>The value of <see cref="PartOf"/>: <c>kubectl get all -l app.kubernetes.io/part-of=mesh</c> lists everything.</summary>
    public const string MeshName = "mesh";

    public static Dictionary<string, string> PartOfMesh(string component) => new(StringComparer.Ordinal)
    {
        [PartOf] = MeshName,
        [Component] = component,
        [ManagedBy] = "mesh-apphost",
    };
}
