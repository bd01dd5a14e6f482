using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// The control plane's config directory as custom resources: every YAML/JSON file the control
/// plane would load (recursively, skipping dot-names), parsed and validated as a whole exactly as
/// the control plane does — an invalid directory fails the publish with every error, rather than
/// shipping config the cluster would reject. Objects in the mesh's local namespace move to the
/// workloads' namespace, objects in the local root namespace to the control plane's namespace.
/// </summary>
internal static class MeshConfigManifests
{
    /// <summary>The control plane's default root namespace (ControlPlane:RootNamespace), where mesh-wide policies live locally.</summary>
    public const string LocalRootNamespace = "istio-system";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static IReadOnlyList<ConfigObject> Load(string? directory, MeshPublishModel model)
    {
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        var objects = new List<ConfigObject>();
        var errors = new List<ConfigError>();
        foreach (var path in Files(directory))
        {
            var relative = Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/');
            var result = ConfigParser.Parse(File.ReadAllText(path), relative);
            objects.AddRange(result.Objects);
            errors.AddRange(result.Errors);
            errors.AddRange(ConfigValidator.ValidateIncomplete(result));
        }

        errors.AddRange(ConfigValidator.Validate(objects));
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(
                $"The mesh config in '{Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar))}' is invalid, so it cannot be published ({errors.Count} error(s)):\n  "
                + string.Join("\n  ", errors));
        }

        return [.. objects.Select(o => Relocate(o, model)).OrderBy(o => o.Key, StringComparer.Ordinal)];
    }

    public static string FileName(ConfigObject configObject) =>
        $"{configObject.Kind.ToLowerInvariant()}-{configObject.Metadata.Namespace}-{configObject.Metadata.Name}.yaml";

    /// <summary>The object as a custom resource (canonical YAML, Istio's preferred apiVersion).</summary>
    public static string ToYaml(ConfigObject configObject) =>
        ConfigSerializer.ToYaml(configObject with { ApiVersion = ConfigKinds.FindExact(configObject.Kind)!.PreferredApiVersion });

    private static ConfigObject Relocate(ConfigObject configObject, MeshPublishModel model)
    {
        var ns = configObject.Metadata.Namespace;
        var target = ns == model.Mesh.Namespace ? model.Options.Namespace
            : ns == LocalRootNamespace ? model.Options.ControlPlaneNamespace
            : ns;
        return configObject with { Metadata = configObject.Metadata with { Namespace = target } };
    }

    // The control plane's ConfigDirectoryScanner rules, in a stable order.
    private static IEnumerable<string> Files(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", options).OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }

            if (entry is DirectoryInfo subdirectory)
            {
                foreach (var file in Files(subdirectory.FullName))
                {
                    yield return file;
                }
            }
            else if (Extensions.Any(e => entry.Name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            {
                yield return entry.FullName;
            }
        }
    }
}
