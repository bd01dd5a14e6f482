using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using k8s;
using k8s.Models;

namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>
/// A generated CRD's OpenAPI schema as a JSON Schema that behaves like the API server with
/// strict field validation (kubectl's default): the structural schema's types, enums and
/// patterns, and unknown fields rejected except where the schema preserves them.
/// </summary>
internal static class CrdSchemas
{
    public static JsonSchema For(V1CustomResourceDefinition crd)
    {
        var schema = JsonNode.Parse(KubernetesJson.Serialize(crd.Spec.Versions[0].Schema.OpenAPIV3Schema))!.AsObject();
        // The API server owns apiVersion, kind and metadata; the CRD describes spec and status.
        var properties = schema["properties"]!.AsObject();
        properties["apiVersion"] = new JsonObject { ["type"] = "string" };
        properties["kind"] = new JsonObject { ["type"] = "string" };
        properties["metadata"] = new JsonObject { ["type"] = "object" };
        Close(schema);
        return JsonSchema.FromText(schema.ToJsonString());
    }

    public static IReadOnlyList<string> Errors(JsonSchema schema, JsonNode document)
    {
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))];
    }

    private static void Close(JsonObject schema)
    {
        // Kubernetes' extension keywords are not JSON Schema; their effect is modelled here instead.
        var preserve = schema["x-kubernetes-preserve-unknown-fields"] is not null;
        foreach (var extension in schema.Select(p => p.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
        {
            schema.Remove(extension);
        }

        if (schema["properties"] is JsonObject properties)
        {
            if (!preserve && schema["additionalProperties"] is null)
            {
                schema["additionalProperties"] = false;
            }

            foreach (var (_, child) in properties)
            {
                if (child is JsonObject childSchema)
                {
                    Close(childSchema);
                }
            }
        }

        if (schema["items"] is JsonObject items)
        {
            Close(items);
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            Close(additional);
        }
    }
}
