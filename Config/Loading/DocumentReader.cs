using Mesh.Config.Model;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Reads one Kubernetes-style object (apiVersion, kind, metadata, spec, status) from a YAML
/// mapping, expanding <c>List</c> documents (<c>kubectl get -o yaml</c> output).
/// </summary>
internal static class DocumentReader
{
    private static readonly HashSet<string> TopLevelFields = ["apiVersion", "kind", "metadata", "spec", "status"];

    // Server-populated metadata that kubectl output carries: accepted and ignored.
    private static readonly HashSet<string> IgnoredMetadataFields =
    [
        "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
        "finalizers", "ownerReferences", "generateName", "deletionTimestamp", "deletionGracePeriodSeconds",
    ];

    public static void Read(YamlNode node, ConfigSource source, string? sourceText, string pathPrefix, List<ConfigObject> objects, List<ConfigError> errors)
    {
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(new ConfigError(source, null, null, pathPrefix, $"expected a Kubernetes object (a mapping), got {SpecBinder.Describe(node)}"));
            return;
        }

        var apiVersion = ScalarField(mapping, "apiVersion");
        var kindName = ScalarField(mapping, "kind");
        var name = mapping.Children.TryGetValue("metadata", out var metadataNode) && metadataNode is YamlMappingNode metadataMap
            ? ScalarField(metadataMap, "name")
            : null;

        var errorsBefore = errors.Count;
        void Error(string path, string message) =>
            errors.Add(new ConfigError(source, kindName, name, SpecBinder.Join(pathPrefix, path), message));

        if (kindName is not null && (kindName == "List" || kindName.EndsWith("List", StringComparison.Ordinal)) && mapping.Children.ContainsKey("items"))
        {
            ReadList(mapping, source, pathPrefix, objects, errors);
            return;
        }

        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!TopLevelFields.Contains(key.Value ?? ""))
            {
                Error(key.Value ?? "", $"unknown field \"{key.Value}\"");
            }
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            Error("apiVersion", "apiVersion is required");
        }

        if (string.IsNullOrEmpty(kindName))
        {
            Error("kind", "kind is required");
            return;
        }

        var kind = ConfigKinds.FindDocumentKind(apiVersion, kindName);
        if (kind is null)
        {
            Error("kind", $"unsupported kind \"{kindName}\" (supported: {string.Join(", ", ConfigKinds.All.Select(k => k.Kind))})");
            return;
        }

        if (!string.IsNullOrEmpty(apiVersion) && !kind.SupportsApiVersion(apiVersion))
        {
            Error("apiVersion", $"unsupported apiVersion \"{apiVersion}\" for {kind.Kind} (supported: {string.Join(", ", kind.Versions.Select(kind.ApiVersion))})");
        }

        var binder = new SpecBinder();
        var metadata = ReadMetadata(metadataNode, binder, Error);
        object? spec = null;
        if (mapping.Children.TryGetValue("spec", out var specNode))
        {
            spec = binder.Bind(kind.SpecType, specNode, "spec");
        }

        spec ??= Activator.CreateInstance(kind.SpecType)!;
        foreach (var (path, message) in binder.Errors)
        {
            Error(path, message);
        }

        if (metadata is null || errors.Count > errorsBefore || string.IsNullOrEmpty(apiVersion))
        {
            return;
        }

        if (kind.ClusterScoped)
        {
            // kubectl ignores a namespace on a cluster-scoped object; so does the store.
            metadata = metadata with { Namespace = "" };
        }

        var configObject = new ConfigObject(apiVersion, kind.Id, metadata, spec, source);
        objects.Add(configObject with { SourceText = sourceText ?? ConfigSerializer.ToYaml(configObject) });
    }

    private static void ReadList(YamlMappingNode mapping, ConfigSource source, string pathPrefix, List<ConfigObject> objects, List<ConfigError> errors)
    {
        if (mapping.Children["items"] is not YamlSequenceNode items)
        {
            if (!SpecBinder.IsNull(mapping.Children["items"]))
            {
                errors.Add(new ConfigError(source, "List", null, SpecBinder.Join(pathPrefix, "items"), "expected a list"));
            }

            return;
        }

        for (var i = 0; i < items.Children.Count; i++)
        {
            // Items have no standalone text; their SourceText is generated from the parsed object.
            Read(items.Children[i], source, null, SpecBinder.Join(pathPrefix, $"items[{i}]"), objects, errors);
        }
    }

    private static ConfigMetadata? ReadMetadata(YamlNode? node, SpecBinder binder, Action<string, string> error)
    {
        if (node is null || SpecBinder.IsNull(node))
        {
            error("metadata.name", "metadata.name is required");
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            error("metadata", $"expected a mapping, got {SpecBinder.Describe(node)}");
            return null;
        }

        string? name = null;
        string? ns = null;
        Model.Common.ValueMap<string>? labels = null;
        Model.Common.ValueMap<string>? annotations = null;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            switch (key)
            {
                case "name":
                    name = binder.Bind(typeof(string), value, "metadata.name") as string;
                    break;
                case "namespace":
                    ns = binder.Bind(typeof(string), value, "metadata.namespace") as string;
                    break;
                case "labels":
                    labels = binder.Bind(typeof(Model.Common.ValueMap<string>), value, "metadata.labels") as Model.Common.ValueMap<string>;
                    break;
                case "annotations":
                    annotations = binder.Bind(typeof(Model.Common.ValueMap<string>), value, "metadata.annotations") as Model.Common.ValueMap<string>;
                    break;
                default:
                    if (!IgnoredMetadataFields.Contains(key))
                    {
                        error($"metadata.{key}", $"unknown field \"{key}\"");
                    }

                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            error("metadata.name", "metadata.name is required");
            return null;
        }

        return new ConfigMetadata(name, string.IsNullOrEmpty(ns) ? ConfigParser.DefaultNamespace : ns)
        {
            Labels = labels ?? Model.Common.ValueMap<string>.Empty,
            Annotations = annotations ?? Model.Common.ValueMap<string>.Empty,
        };
    }

    private static string? ScalarField(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(key, out var node) && node is YamlScalarNode scalar && !SpecBinder.IsNull(scalar) ? scalar.Value : null;
}
