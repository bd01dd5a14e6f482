using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Writes each custom resource's verdict to its status subresource, Istio-style:
/// <c>status.observedGeneration</c> and an <c>Accepted</c> condition (True, or False with every
/// error's field path and message), so <c>kubectl get vs reviews -o yaml</c> tells a user why a
/// change did not take effect. A status already saying the same is not written again.
/// Only the leader (<see cref="KubernetesLeaderElection"/>) writes; the others leave it to it.
/// </summary>
internal sealed class CustomResourceStatusWriter(IKubernetes client, KubernetesLeaderElection leadership, TimeProvider time, ILogger<CustomResourceStatusWriter> logger)
{
    public const string ConditionType = "Accepted";

    // What this writer last wrote per object: its own write reaches the cache only with the next
    // watch event, and a reconcile in between must not write the same status again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Generation, string Status, string Message)> _written = new(StringComparer.Ordinal);

    /// <summary>Forgets a deleted object, so a re-created one with the same name gets its status.</summary>
    public void Forget(string origin) => _written.TryRemove(origin, out _);

    public async Task WriteAsync(CustomResourceObject configObject, CustomResourceVerdict verdict, CancellationToken cancellationToken)
    {
        if (!configObject.Kind.IsIstio || !leadership.IsLeader)
        {
            // The Gateway API's status is the spec's (GatewayApiStatusWriter); an invalid one is logged.
            // A replica that does not lead writes nothing: the leader reconciles the same objects.
            return;
        }

        var message = verdict.Message(configObject.Generation);
        var status = verdict.Accepted ? "True" : "False";
        var desired = (configObject.Generation, status, message);
        if ((Current(configObject.Status) is { } current && current == desired)
            || (_written.TryGetValue(configObject.Origin, out var written) && written == desired))
        {
            return;
        }

        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = configObject.Generation,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = ConditionType,
                    ["status"] = status,
                    ["reason"] = verdict.Accepted ? "Accepted" : "Invalid",
                    ["message"] = message,
                    ["lastTransitionTime"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                }),
            },
        };

        try
        {
            var kind = configObject.Kind;
            await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
                kind.Group, kind.Versions[0], configObject.Namespace, kind.Plural, configObject.Name, cancellationToken: cancellationToken);
            _written[configObject.Origin] = desired;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Deleted meanwhile, or the API server is away: the next reconcile writes it again.
            KubernetesLog.StatusWriteFailed(logger, configObject.Origin, ex);
        }
    }

    private static (long Generation, string? Status, string? Message)? Current(JsonObject? status)
    {
        if (status?["conditions"] is not JsonArray conditions)
        {
            return null;
        }

        var condition = conditions.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == ConditionType);
        var generation = status["observedGeneration"] is JsonValue g && g.TryGetValue<long>(out var value) ? value : -1;
        return condition is null ? null : (generation, condition["status"]?.GetValue<string>(), condition["message"]?.GetValue<string>());
    }
}
