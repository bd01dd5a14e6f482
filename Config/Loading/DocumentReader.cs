using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.MeshConfiguration;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Reads one Kubernetes-style object (apiVersion, kind, metadata, spec, status) from a YAML
/// mapping, expanding <c>List</c> documents (<c>kubectl get -o yaml</c> output). Every problem
/// of the document is reported, each with its line; a document with problems still yields an
/// incomplete object so its semantic errors can be reported in the same run.
/// </summary>
internal static class DocumentReader
{
    /// <summary>Where one document's results go; <paramref name="LineOffset"/> turns node lines into origin lines.</summary>
    public sealed record Target(ConfigSource Source, int LineOffset, List<ConfigObject> Objects, List<ConfigObject> Incomplete, List<ConfigError> Errors)
    {
        /// <summary>The namespace the objects are applied to (<c>-n</c>), or null for <see cref="ConfigParser.DefaultNamespace"/>.</summary>
        public string? Namespace { get; init; }
    }

    private static readonly HashSet<string> TopLevelFields = ["apiVersion", "kind", "metadata", "spec", "status"];

    // Server-populated metadata that kubectl output carries: accepted and ignored.
    private static readonly HashSet<string> IgnoredMetadataFields =
    [
        "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
        "finalizers", "ownerReferences", "generateName", "deletionTimestamp", "deletionGracePeriodSeconds",
    ];

    public static void Read(YamlNode node, Target target, string? sourceText, string pathPrefix) =>
        Read(node, target, sourceText, pathPrefix, new SpecBinder(target.LineOffset));

    private static void Read(YamlNode node, Target target, string? sourceText, string pathPrefix, SpecBinder budget)
    {
        var errors = target.Errors;
        if (node is not YamlMappingNode mapping)
        {
            errors.Add(new ConfigError(target.Source, null, null, pathPrefix, $"expected a Kubernetes object (a mapping), got {SpecBinder.Describe(node)}")
            {
                Line = (int)node.Start.Line + target.LineOffset,
            });
            return;
        }

        var apiVersion = ScalarField(mapping, "apiVersion");
        var kindName = ScalarField(mapping, "kind");
        var name = mapping.Children.TryGetValue("metadata", out var metadataNode) && metadataNode is YamlMappingNode metadataMap
            ? ScalarField(metadataMap, "name")
            : null;

        if (kindName is not null && (kindName == "List" || kindName.EndsWith("List", StringComparison.Ordinal)) && mapping.Children.ContainsKey("items"))
        {
            ReadList(mapping, target, pathPrefix, budget);
            return;
        }

        // One binder per object: its errors are this object's, its budget is shared by a List's items.
        var binder = budget.ForObject();
        var errorsBefore = errors.Count;
        var line = (int)mapping.Start.Line + target.LineOffset;
        void Error(string path, string message, int at) =>
            errors.Add(new ConfigError(target.Source, kindName, name, path, message) { Line = at });

        // The mesh config as Istio's task pages write it: only the ConfigMap's `data` (what
        // `kubectl edit configmap istio -n istio-system` edits), without apiVersion, kind or metadata.
        var meshConfigFragment = apiVersion is null && kindName is null && metadataNode is null && mapping.Children.ContainsKey("data");
        if (meshConfigFragment)
        {
            (apiVersion, kindName, name) = ("v1", ConfigKinds.MeshConfigMap.Kind, IstioMeshConfigMap.Name);
        }

        var kind = kindName is null ? null : ConfigKinds.FindDocumentKind(apiVersion, kindName);
        var specField = kind?.SpecField ?? "spec";
        foreach (var (key, valueNode) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } text } || !(TopLevelFields.Contains(text) || text == specField) || (text == "spec" && specField != "spec"))
            {
                binder.Unknown(pathPrefix, key, valueNode);
            }
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            Error(FieldPath.Field(pathPrefix, "apiVersion"), "apiVersion is required", line);
        }

        if (string.IsNullOrEmpty(kindName))
        {
            Error(FieldPath.Field(pathPrefix, "kind"), "kind is required", line);
        }
        else if (kind is null)
        {
            Error(FieldPath.Field(pathPrefix, "kind"), $"unsupported kind {FieldPath.Quote(kindName)} (supported: {string.Join(", ", ConfigKinds.All.Select(k => k.Kind).Distinct())})", LineOf(mapping, "kind", target));
        }
        else if (!string.IsNullOrEmpty(apiVersion) && !kind.SupportsApiVersion(apiVersion))
        {
            Error(FieldPath.Field(pathPrefix, "apiVersion"),
                $"unsupported apiVersion {FieldPath.Quote(apiVersion)} for {kind.Kind} (supported: {string.Join(", ", kind.Versions.Select(kind.ApiVersion))})",
                LineOf(mapping, "apiVersion", target));
        }

        var metadata = meshConfigFragment ? new ConfigMetadata(IstioMeshConfigMap.Name, IstioMeshConfigMap.Namespace) : ReadMetadata(metadataNode, binder, pathPrefix, line, target.Namespace);
        object? spec = null;
        if (kind == ConfigKinds.MeshConfigMap && mapping.Children.TryGetValue(specField, out var dataNode))
        {
            spec = MeshConfigReader.Read(dataNode, binder, target.LineOffset);
        }
        else if (kind is not null && mapping.Children.TryGetValue(specField, out var specNode))
        {
            spec = binder.Bind(kind.SpecType, specNode, FieldPath.Field(pathPrefix, specField));
        }

        foreach (var (path, message, at) in binder.Errors)
        {
            Error(path, message, at);
        }

        if (kind is null || metadata is null || string.IsNullOrEmpty(apiVersion))
        {
            return;
        }

        spec ??= Activator.CreateInstance(kind.SpecType)!;
        if (kind.ClusterScoped)
        {
            // kubectl ignores a namespace on a cluster-scoped object; so does the store.
            metadata = metadata with { Namespace = "" };
        }

        var configObject = new ConfigObject(apiVersion, kind.Id, metadata, spec, target.Source);
        configObject = configObject with { SourceText = sourceText ?? ConfigSerializer.ToYaml(configObject) };
        if (sourceText is null)
        {
            // A List item has no text of its own: its serialized text has other line numbers.
            configObject = configObject with { Source = target.Source with { Line = 0 } };
        }

        if (errors.Count == errorsBefore)
        {
            target.Objects.Add(configObject);
        }
        else
        {
            target.Incomplete.Add(configObject with { ParseErrorPaths = [.. errors.Skip(errorsBefore).Select(e => StripPrefix(e.Path, pathPrefix))] });
        }
    }

    private static void ReadList(YamlMappingNode mapping, Target target, string pathPrefix, SpecBinder budget)
    {
        var itemsPath = FieldPath.Field(pathPrefix, "items");
        if (mapping.Children["items"] is not YamlSequenceNode items)
        {
            if (!SpecBinder.IsNull(mapping.Children["items"]))
            {
                target.Errors.Add(new ConfigError(target.Source, "List", null, itemsPath, "expected a list")
                {
                    Line = (int)mapping.Children["items"].Start.Line + target.LineOffset,
                });
            }

            return;
        }

        for (var i = 0; i < items.Children.Count; i++)
        {
            // Items have no standalone text; their SourceText is generated from the parsed object.
            Read(items.Children[i], target, null, FieldPath.Index(itemsPath, i), budget);
        }
    }

    private static ConfigMetadata? ReadMetadata(YamlNode? node, SpecBinder binder, string pathPrefix, int line, string? requestedNamespace)
    {
        var metadataPath = FieldPath.Field(pathPrefix, "metadata");
        if (node is null || SpecBinder.IsNull(node))
        {
            binder.Fail(FieldPath.Field(metadataPath, "name"), "metadata.name is required", node, line);
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            binder.Fail(metadataPath, $"expected a mapping, got {SpecBinder.Describe(node)}", node, line);
            return null;
        }

        string? name = null;
        string? ns = null;
        ValueMap<string>? labels = null;
        ValueMap<string>? annotations = null;
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            var fieldPath = FieldPath.Field(metadataPath, key ?? "");
            switch (key)
            {
                case "name":
                    name = binder.Bind(typeof(string), value, fieldPath) as string;
                    break;
                case "namespace":
                    ns = binder.Bind(typeof(string), value, fieldPath) as string;
                    break;
                case "labels":
                    labels = binder.Bind(typeof(ValueMap<string>), value, fieldPath) as ValueMap<string>;
                    break;
                case "annotations":
                    annotations = binder.Bind(typeof(ValueMap<string>), value, fieldPath) as ValueMap<string>;
                    break;
                case not null when IgnoredMetadataFields.Contains(key):
                    break;
                default:
                    binder.Unknown(metadataPath, keyNode, value);
                    break;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            binder.Fail(FieldPath.Field(metadataPath, "name"), "metadata.name is required", mapping, line);
            return null;
        }

        if (!string.IsNullOrEmpty(ns) && requestedNamespace is not null && ns != requestedNamespace)
        {
            // kubectl's rule: an object that names its namespace is not moved by -n.
            binder.Fail(FieldPath.Field(metadataPath, "namespace"),
                $"the namespace '{ns}' does not match the namespace '{requestedNamespace}' the objects are applied to (-n)", mapping, line);
            return null;
        }

        return new ConfigMetadata(name, string.IsNullOrEmpty(ns) ? requestedNamespace ?? ConfigParser.DefaultNamespace : ns)
        {
            Labels = labels ?? ValueMap<string>.Empty,
            Annotations = annotations ?? ValueMap<string>.Empty,
        };
    }

    private static int LineOf(YamlMappingNode mapping, string key, Target target) =>
        (int)(mapping.Children.TryGetValue(key, out var node) ? node.Start.Line : mapping.Start.Line) + target.LineOffset;

    private static string StripPrefix(string path, string prefix) =>
        prefix.Length > 0 && path.StartsWith(prefix + ".", StringComparison.Ordinal) ? path[(prefix.Length + 1)..] : path;

    private static string? ScalarField(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(key, out var node) && node is YamlScalarNode scalar && !SpecBinder.IsNull(scalar) ? scalar.Value : null;
}
