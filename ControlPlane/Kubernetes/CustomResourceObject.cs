using System.Text.Json.Nodes;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// One mesh custom resource as the API server has it: identity, generation, and the document the
/// config parser reads (apiVersion, kind, metadata, spec — server fields stripped), plus the
/// status it carries now (so status is written only when it would change).
/// </summary>
internal sealed record CustomResourceObject(ConfigKind Kind, string Namespace, string Name, long Generation, string Document, JsonObject? Status)
{
    /// <summary>The store's key for it, also its <c>source</c> in listings and errors: <c>kubernetes/&lt;namespace&gt;/&lt;plural&gt;/&lt;name&gt;</c> (the plural qualified by its group outside Istio's and the core group).</summary>
    public string Origin => OriginOf(Kind, Namespace, Name);

    public static string OriginOf(ConfigKind kind, string ns, string name) =>
        $"kubernetes/{ns}/{(kind.IsIstio || kind.Group.Length == 0 ? kind.Plural : $"{kind.Plural}.{kind.Group}")}/{name}";

    /// <summary>Reads an object from a list item or watch event; null when it has no name.</summary>
    public static CustomResourceObject? From(ConfigKind kind, JsonObject item)
    {
        if (item["metadata"] is not JsonObject metadata || metadata["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            return null;
        }

        var ns = kind.ClusterScoped ? "" : metadata["namespace"]?.GetValue<string>() ?? "default";
        var generation = metadata["generation"] is JsonValue g && g.TryGetValue<long>(out var value) ? value : 0;
        var cleanMetadata = kind.ClusterScoped ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["namespace"] = ns };
        if (metadata["labels"] is JsonObject labels)
        {
            cleanMetadata["labels"] = labels.DeepClone();
        }

        if (metadata["annotations"] is JsonObject annotations)
        {
            var kept = annotations.DeepClone().AsObject();
            // kubectl's copy of the whole object: noise in listings, never config.
            kept.Remove("kubectl.kubernetes.io/last-applied-configuration");
            if (kept.Count > 0)
            {
                cleanMetadata["annotations"] = kept;
            }
        }

        var document = new JsonObject
        {
            ["apiVersion"] = item["apiVersion"]?.DeepClone() ?? kind.PreferredApiVersion,
            ["kind"] = item["kind"]?.DeepClone() ?? kind.Kind,
            ["metadata"] = cleanMetadata,
        };
        // The spec, or what a kind has in its place (a ConfigMap's data).
        if (item[kind.SpecField] is { } spec)
        {
            document[kind.SpecField] = spec.DeepClone();
        }

        return new CustomResourceObject(kind, ns, name, generation, document.ToJsonString(), item["status"]?.DeepClone() as JsonObject);
    }
}
