namespace Mesh.Hosting.Kubernetes;

/// <summary>One published file: its path relative to the output folder (with '/') and its YAML.</summary>
internal sealed record KubernetesManifest(string Path, string Yaml);
