namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Writes manifests under an output folder. Files are rewritten only when their bytes change, and
/// YAML files this step wrote before that the model no longer produces are removed (only in the
/// folders the step owns, never anything else in the output folder).
/// </summary>
internal static class KubernetesManifestWriter
{
    private static readonly string[] OwnedFolders = [KubernetesManifestBuilder.CrdFolder, "controlplane", "workloads", "gateways", "mesh-config"];

    public static WriteResult Write(string outputDirectory, IReadOnlyList<KubernetesManifest> manifests)
    {
        Directory.CreateDirectory(outputDirectory);
        var wanted = manifests.Select(m => Full(outputDirectory, m.Path)).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var folder in OwnedFolders.Select(f => Path.Combine(outputDirectory, f)).Where(Directory.Exists))
        {
            foreach (var stale in Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories).Where(f => !wanted.Contains(Path.GetFullPath(f))))
            {
                File.Delete(stale);
                removed++;
            }
        }

        foreach (var stale in Directory.EnumerateFiles(outputDirectory, "namespace-*.yaml").Where(f => !wanted.Contains(Path.GetFullPath(f))))
        {
            File.Delete(stale);
            removed++;
        }

        var changed = 0;
        foreach (var manifest in manifests)
        {
            var path = Full(outputDirectory, manifest.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (!File.Exists(path) || File.ReadAllText(path) != manifest.Yaml)
            {
                File.WriteAllText(path, manifest.Yaml);
                changed++;
            }
        }

        return new WriteResult(manifests.Count, changed, removed);
    }

    private static string Full(string outputDirectory, string relative) =>
        Path.GetFullPath(Path.Combine(outputDirectory, relative.Replace('/', Path.DirectorySeparatorChar)));

    /// <summary>How many files the model produced, how many of them changed on disk, and how many stale ones were removed.</summary>
    internal sealed record WriteResult(int Files, int Changed, int Removed);
}
