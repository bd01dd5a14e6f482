using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>The fake API server's ConfigMaps: list (with a <c>metadata.name</c> field selector) and watch, per namespace.</summary>
public sealed partial class FakeKubernetesApiServer
{
    private readonly Dictionary<string, JsonObject> _configMaps = new(StringComparer.Ordinal);

    /// <summary>Creates or replaces a ConfigMap; watchers of its namespace see it.</summary>
    public void ApplyConfigMap(string ns, string name, IReadOnlyDictionary<string, string> data)
    {
        lock (_gate)
        {
            var existed = _configMaps.ContainsKey($"{ns}/{name}");
            var configMap = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = ns,
                    ["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture),
                },
                ["data"] = new JsonObject(data.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
            };
            _configMaps[$"{ns}/{name}"] = configMap;
            Record(ConfigMapsOf(ns), existed ? "MODIFIED" : "ADDED", configMap, notify: true);
        }
    }

    public void DeleteConfigMap(string ns, string name)
    {
        lock (_gate)
        {
            if (_configMaps.Remove($"{ns}/{name}", out var configMap))
            {
                configMap["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                Record(ConfigMapsOf(ns), "DELETED", configMap, notify: true);
            }
        }
    }

    private static string ConfigMapsOf(string ns) => "configmaps:" + ns;

    // A watch sees every ConfigMap of the namespace (the field selector is applied to lists only):
    // the control plane must skip the ones it did not ask for.
    private async Task ListOrWatchConfigMapsAsync(HttpContext context, string ns)
    {
        if (context.Request.Query["watch"] is ["true" or "1"])
        {
            await WatchAsync(context, ConfigMapsOf(ns), long.Parse(context.Request.Query["resourceVersion"].ToString(), CultureInfo.InvariantCulture));
            return;
        }

        var selected = context.Request.Query["fieldSelector"].ToString() is { Length: > 0 } selector && selector.StartsWith("metadata.name=", StringComparison.Ordinal)
            ? selector["metadata.name=".Length..]
            : null;
        JsonObject list;
        lock (_gate)
        {
            list = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMapList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. _configMaps
                    .Where(c => c.Key.StartsWith(ns + "/", StringComparison.Ordinal) && (selected is null || c.Key == $"{ns}/{selected}"))
                    .Select(c => (JsonNode)c.Value.DeepClone())]),
            };
        }

        await Results.Text(list.ToJsonString(), "application/json").ExecuteAsync(context);
    }
}
