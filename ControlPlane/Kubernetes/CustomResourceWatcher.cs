using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Mesh.Config.Model;
using Mesh.Config.Model.MeshConfiguration;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Keeps <see cref="CustomResourceCache"/> in step with one kind across all namespaces, the
/// informer way (<see cref="ListWatchLoop"/>: paged list, watch from its resource version, list
/// again on 410 Gone or resync, back off on failure). Istio's mesh config is not a custom
/// resource: for <see cref="ConfigKinds.MeshConfigMap"/> the watcher lists and watches the one
/// ConfigMap <c>istio</c> of the control plane's own namespace (istiod reads it from its own).
/// </summary>
internal sealed class CustomResourceWatcher(
    IKubernetes client, ConfigKind kind, CustomResourceCache cache, KubernetesOptions options, TimeProvider time, ILogger logger)
{
    private readonly ListWatchLoop _loop = new(kind.Kind, options, time, logger);

    /// <summary>Completes after the first list (successful, or the CRD found missing).</summary>
    public Task Listed => _loop.Listed;

    public string Version => kind.Versions[0];

    public Task RunAsync(CancellationToken stopping) =>
        _loop.RunAsync(ListAsync, WatchAsync, () => cache.ReplaceKind(kind, []), stopping);

    private bool IsMeshConfigMap => kind == ConfigKinds.MeshConfigMap;

    private static string MeshConfigMapSelector => $"metadata.name={IstioMeshConfigMap.Name}";

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        if (IsMeshConfigMap)
        {
            return await ListMeshConfigMapAsync(cancellationToken);
        }

        var objects = new List<CustomResourceObject>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonObject>(
                kind.Group, Version, kind.Plural, continueParameter: continueToken, limit: 500, cancellationToken: cancellationToken);
            foreach (var item in page["items"]?.AsArray() ?? [])
            {
                if (item is JsonObject json && CustomResourceObject.From(kind, json) is { } configObject)
                {
                    objects.Add(configObject);
                }
            }

            resourceVersion = page["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
            continueToken = page["metadata"]?["continue"]?.GetValue<string>() is { Length: > 0 } next ? next : null;
        }
        while (continueToken is not null);

        cache.ReplaceKind(kind, objects);
        KubernetesLog.Listed(logger, objects.Count, kind.Kind, resourceVersion);
        return resourceVersion;
    }

    private async Task<string> ListMeshConfigMapAsync(CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedConfigMapAsync(options.Namespace, fieldSelector: MeshConfigMapSelector, cancellationToken: cancellationToken);
        var objects = list.Items.Select(MeshConfigMapObject).OfType<CustomResourceObject>().ToList();
        var resourceVersion = list.Metadata?.ResourceVersion ?? "";
        cache.ReplaceKind(kind, objects);
        KubernetesLog.Listed(logger, objects.Count, kind.Kind, resourceVersion);
        return resourceVersion;
    }

    private async Task<(string? ResourceVersion, bool Expired)> WatchMeshConfigMapAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var errors = new WatchErrors();
        var current = resourceVersion;
        var events = client.CoreV1.WatchListNamespacedConfigMapAsync(
            options.Namespace,
            fieldSelector: MeshConfigMapSelector,
            allowWatchBookmarks: true,
            resourceVersion: resourceVersion,
            timeoutSeconds: (int)options.WatchTimeout.TotalSeconds,
            onError: errors.Record,
            cancellationToken: cancellationToken);

        await foreach (var (type, configMap) in events.WithCancellation(cancellationToken))
        {
            current = configMap.Metadata?.ResourceVersion ?? current;
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified when MeshConfigMapObject(configMap) is { } configObject:
                    cache.Set(configObject);
                    break;
                case WatchEventType.Deleted when MeshConfigMapObject(configMap) is { } deleted:
                    cache.Remove(kind, deleted.Namespace, deleted.Name);
                    break;
            }
        }

        errors.ThrowIfFailed(kind.Kind);
        return (current, errors.Expired);
    }

    /// <summary>
    /// The mesh config ConfigMap as the config parser reads it. Its namespace is the control plane's
    /// own, which is istiod's namespace by definition, so it is presented in the namespace Istio's
    /// mesh config names (<see cref="IstioMeshConfigMap.Namespace"/>) whatever the control plane's
    /// namespace is called. Any other ConfigMap (a server ignoring the field selector) is skipped.
    /// </summary>
    private CustomResourceObject? MeshConfigMapObject(V1ConfigMap configMap)
    {
        if (configMap.Metadata?.Name != IstioMeshConfigMap.Name || JsonSerializer.SerializeToNode(configMap) is not JsonObject item)
        {
            return null;
        }

        item["metadata"]!["namespace"] = IstioMeshConfigMap.Namespace;
        return CustomResourceObject.From(kind, item);
    }

    private async Task<(string? ResourceVersion, bool Expired)> WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        if (IsMeshConfigMap)
        {
            return await WatchMeshConfigMapAsync(resourceVersion, cancellationToken);
        }

        var errors = new WatchErrors();
        var current = resourceVersion;
        var events = client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
            kind.Group, Version, kind.Plural,
            allowWatchBookmarks: true,
            resourceVersion: resourceVersion,
            timeoutSeconds: (int)options.WatchTimeout.TotalSeconds,
            onError: errors.Record,
            cancellationToken: cancellationToken);

        await foreach (var (type, value) in events.WithCancellation(cancellationToken))
        {
            if (JsonSerializer.SerializeToNode(value) is not JsonObject item)
            {
                continue;
            }

            current = item["metadata"]?["resourceVersion"]?.GetValue<string>() ?? current;
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified when CustomResourceObject.From(kind, item) is { } configObject:
                    cache.Set(configObject);
                    break;
                case WatchEventType.Deleted when CustomResourceObject.From(kind, item) is { } deleted:
                    cache.Remove(kind, deleted.Namespace, deleted.Name);
                    break;
            }
        }

        // A malformed event or a non-410 error status: resume from the last good version after a pause.
        errors.ThrowIfFailed(kind.Kind);
        return (current, errors.Expired);
    }
}
