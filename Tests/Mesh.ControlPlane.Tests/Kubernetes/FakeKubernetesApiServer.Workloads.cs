using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// The fake API server's Pods (<c>/api/v1/pods</c>) and EndpointSlices
/// (<c>/apis/discovery.k8s.io/v1/endpointslices</c>) across all namespaces: list and watch, as the
/// registry's Kubernetes source reads them. Tests write them as the kubelet and the EndpointSlice
/// controller would.
/// </summary>
public sealed partial class FakeKubernetesApiServer
{
    public const string Pods = "pods";
    public const string EndpointSlices = "endpointslices.discovery.k8s.io";
    private readonly Dictionary<string, JsonObject> _workloadObjects = new(StringComparer.Ordinal);

    /// <summary>Creates or replaces a Pod or an EndpointSlice (<see cref="Pods"/>, <see cref="EndpointSlices"/>) from YAML; watchers see it.</summary>
    public void ApplyObject(string resource, string yaml)
    {
        var document = (JsonObject)YamlDocuments.ToJson(yaml);
        var metadata = (JsonObject)document["metadata"]!;
        metadata["namespace"] ??= "default";
        var key = Key(resource, metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>());
        lock (_gate)
        {
            var exists = _workloadObjects.ContainsKey(key);
            metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            _workloadObjects[key] = document;
            Record(resource, exists ? "MODIFIED" : "ADDED", document, notify: true);
        }
    }

    public void DeleteObject(string resource, string ns, string name)
    {
        lock (_gate)
        {
            if (_workloadObjects.Remove(Key(resource, ns, name), out var removed))
            {
                removed["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                Record(resource, "DELETED", removed, notify: true);
            }
        }
    }

    private void MapWorkloads(WebApplication app)
    {
        app.MapGet("/api/v1/pods", (HttpContext context) => ListOrWatchObjectsAsync(context, Pods, "v1", "PodList"));
        app.MapGet("/apis/discovery.k8s.io/v1/endpointslices", (HttpContext context) => ListOrWatchObjectsAsync(context, EndpointSlices, "discovery.k8s.io/v1", "EndpointSliceList"));
    }

    private async Task ListOrWatchObjectsAsync(HttpContext context, string resource, string apiVersion, string listKind)
    {
        if (context.Request.Query["watch"] is ["true" or "1"])
        {
            await WatchAsync(context, resource, long.Parse(context.Request.Query["resourceVersion"].ToString(), CultureInfo.InvariantCulture));
            return;
        }

        JsonObject list;
        lock (_gate)
        {
            ListCounts[resource] = ListCounts.GetValueOrDefault(resource) + 1;
            list = new JsonObject
            {
                ["apiVersion"] = apiVersion,
                ["kind"] = listKind,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. _workloadObjects.Where(o => o.Key.StartsWith(resource + "/", StringComparison.Ordinal)).Select(o => (JsonNode)o.Value.DeepClone())]),
            };
        }

        await Results.Text(list.ToJsonString(), "application/json").ExecuteAsync(context);
    }
}
