using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Mesh.Config.Model;
using Mesh.ControlPlane.Gateways;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Writes the Gateway API status the spec defines (<see cref="GatewayApiStatus"/>) to the status
/// subresource of each GatewayClass, Gateway and route of the mesh's controller, as Istio does:
/// a Gateway's and a GatewayClass's status whole, a route's <c>status.parents</c> with the entries
/// of other controllers kept. Conditions carry the object's <c>metadata.generation</c> as
/// <c>observedGeneration</c>. A status that already says the same (transition times aside) is not
/// written again. Only the leader (<see cref="KubernetesLeaderElection"/>) writes.
/// </summary>
internal sealed class GatewayApiStatusWriter(
    IKubernetes client, CustomResourceCache cache, GatewayApiStatus statuses, KubernetesLeaderElection leadership, ILogger<GatewayApiStatusWriter> logger)
{
    // What this writer last wrote per object: its write reaches the cache only with the next watch event.
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);

    public async Task WriteAsync(CancellationToken cancellationToken)
    {
        if (!leadership.IsLeader)
        {
            return;
        }

        var current = statuses.Current();
        var objects = cache.Snapshot().Where(o => o.Kind.Group == ConfigKinds.GatewayApiGroup).ToList();
        // A deleted object is forgotten, so a re-created one with the same name gets its status.
        foreach (var gone in _written.Keys.Where(k => objects.All(o => o.Origin != k)).ToList())
        {
            _written.TryRemove(gone, out _);
        }

        foreach (var configObject in objects)
        {
            if (!current.TryGetValue($"{configObject.Kind.Id}/{configObject.Namespace}/{configObject.Name}", out var ours))
            {
                continue; // another controller's object (or a kind without status)
            }

            var existing = cache.StatusOf(configObject.Origin);
            var desired = Desired(ours, existing, configObject.Generation);
            var comparable = Comparable(desired).ToJsonString();
            if ((existing is not null && Comparable(existing).ToJsonString() == comparable)
                || (_written.TryGetValue(configObject.Origin, out var written) && written == comparable))
            {
                continue;
            }

            try
            {
                var kind = configObject.Kind;
                var patch = new V1Patch(new JsonObject { ["status"] = desired }.ToJsonString(), V1Patch.PatchType.MergePatch);
                if (kind.ClusterScoped)
                {
                    await client.CustomObjects.PatchClusterCustomObjectStatusAsync(patch, kind.Group, kind.Versions[0], kind.Plural, configObject.Name, cancellationToken: cancellationToken);
                }
                else
                {
                    await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, kind.Group, kind.Versions[0], configObject.Namespace, kind.Plural, configObject.Name, cancellationToken: cancellationToken);
                }

                _written[configObject.Origin] = comparable;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Deleted meanwhile, or the API server is away: the next change writes it again.
                KubernetesLog.StatusWriteFailed(logger, configObject.Origin, ex);
            }
        }
    }

    // Routes: other controllers' parent entries stay, ours are replaced. Conditions observe the object's generation.
    private static JsonObject Desired(JsonObject ours, JsonObject? existing, long generation)
    {
        var desired = (JsonObject)ours.DeepClone();
        if (desired["parents"] is JsonArray parents)
        {
            var others = (existing?["parents"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(p => p["controllerName"]?.GetValue<string>() != Snapshots.GatewayApiNames.ControllerName)
                .Select(p => (JsonNode)p.DeepClone());
            desired["parents"] = new JsonArray([.. others, .. parents.Select(p => p!.DeepClone())]);
        }

        SetObservedGeneration(desired, generation);
        return desired;
    }

    private static void SetObservedGeneration(JsonNode? node, long generation)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.ContainsKey("observedGeneration"))
                {
                    obj["observedGeneration"] = generation;
                }

                foreach (var (_, child) in obj.ToList())
                {
                    SetObservedGeneration(child, generation);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    SetObservedGeneration(child, generation);
                }

                break;
        }
    }

    private static JsonNode Comparable(JsonNode status)
    {
        var copy = status.DeepClone();
        Strip(copy);
        return copy;

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject obj)
            {
                obj.Remove("lastTransitionTime");
                foreach (var (_, child) in obj.ToList())
                {
                    Strip(child);
                }
            }
            else if (node is JsonArray array)
            {
                foreach (var child in array)
                {
                    Strip(child);
                }
            }
        }
    }
}
