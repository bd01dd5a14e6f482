using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Snapshots;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Istio's WorkloadEntry auto-registration: a proxy whose Hello names a WorkloadGroup
/// (<see cref="Node.WorkloadGroup"/>, a VM's sidecar) gets a WorkloadEntry the control plane
/// writes from the group's template — <c>&lt;group&gt;-&lt;address&gt;</c> in the group's
/// namespace, the template's service account, ports, locality and weight, labels (template &lt;
/// group metadata &lt; the proxy's own), the group's annotations plus
/// <c>istio.io/autoRegistrationGroup</c> — as an API-applied object (<c>meshctl get we</c> lists
/// it). The proxy's identity must be the group's service account: anything else is refused with
/// PermissionDenied. Once the proxy disconnects its entry stops serving at once
/// (<see cref="WorkloadEntryEndpoints.IsServing"/>) and is deleted after
/// <see cref="ControlPlaneOptions.WorkloadEntryGracePeriod"/> unless a proxy of it reconnected;
/// a sweep every minute finds entries left by a control plane that stopped before their grace
/// period ended and removes them a grace period later.
/// </summary>
internal sealed partial class WorkloadEntryAutoRegistration(
    ConfigStore store,
    WorkloadRegistry registry,
    IOptions<ControlPlaneOptions> options,
    TimeProvider time,
    ILogger<WorkloadEntryAutoRegistration> logger) : BackgroundService
{
    /// <summary>Istio's annotation naming the control plane that manages an auto-registered entry.</summary>
    public const string ControllerAnnotation = "istio.io/workloadController";
    private const string ControllerName = "mesh-controlplane";

    /// <summary>How often entries without a proxy are looked for (those a restart left without a removal timer).</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly TimeSpan _grace = options.Value.WorkloadEntryGracePeriod;
    private readonly ConcurrentDictionary<string, ITimer> _removals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _disconnectedSince = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers the entry of a proxy that names a WorkloadGroup (after its credential was checked
    /// against the node): null when it names none; an <see cref="RpcException"/> when the group does
    /// not exist, the node is not entitled to it, or the entry is refused. <paramref name="node"/>
    /// must carry the address other proxies reach it at.
    /// </summary>
    public async Task<ConfigObjectRef?> RegisterAsync(Node node, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(node.WorkloadGroup))
        {
            return null;
        }

        if (registry.Source != WorkloadSource.Proxies)
        {
            throw Refuse(node, StatusCode.FailedPrecondition,
                "WorkloadEntry auto-registration is not available in Kubernetes mode (the registry comes from the API server); write the WorkloadEntry as a custom resource");
        }

        var group = store.Current.Model.WorkloadGroups.FirstOrDefault(g => g.Namespace == node.Namespace && g.Name == node.WorkloadGroup);
        if (group?.Spec.Template is not { } template)
        {
            throw Refuse(node, StatusCode.FailedPrecondition, $"WorkloadGroup {node.Namespace}/{node.WorkloadGroup} does not exist");
        }

        var account = WorkloadGroupEntitlement.ServiceAccountOf(template);
        if (node.ServiceAccount != account)
        {
            throw Refuse(node, StatusCode.PermissionDenied,
                $"the proxy's identity is {node.Namespace}/{node.ServiceAccount}, but WorkloadGroup {node.Namespace}/{group.Name} registers workloads of service account {account}");
        }

        if (string.IsNullOrEmpty(node.Address))
        {
            throw Refuse(node, StatusCode.InvalidArgument, "hello.node.address is required to register from a WorkloadGroup");
        }

        var entry = new ConfigObjectRef("WorkloadEntry", node.Namespace, EntryName(group.Name, node.Address));
        var result = await store.ApplyAsync(EntryJson(entry, group, template, node), cancellationToken);
        if (!result.Succeeded)
        {
            throw Refuse(node, StatusCode.FailedPrecondition,
                $"its WorkloadEntry {entry.Namespace}/{entry.Name} was refused: {string.Join("; ", result.Errors.Select(e => $"{e.Path}: {e.Message}").DefaultIfEmpty(result.Message))}");
        }

        CancelRemoval(entry.Key);
        LogRegistered(logger, node.Id, entry.Namespace, entry.Name, group.Name, node.Address);
        return entry;
    }

    /// <summary>The proxy of <paramref name="entry"/> disconnected: the entry goes after the grace period unless a proxy of it is back.</summary>
    public void Disconnected(ConfigObjectRef entry)
    {
        _disconnectedSince.TryAdd(entry.Key, time.GetUtcNow());
        // Armed only once it is in the table, so a timer that fires at once still finds itself there.
        var timer = time.CreateTimer(_ => _ = RemoveIfDisconnectedAsync(entry), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _removals.AddOrUpdate(entry.Key, timer, (_, previous) =>
        {
            previous.Dispose();
            return timer;
        });
        timer.Change(_grace, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Istio's entry name: the group's name and the address (IPv6 colons as dashes).</summary>
    public static string EntryName(string group, string address) => $"{group}-{address.Replace(':', '-').ToLowerInvariant()}";

    /// <summary>The sweep: entries left without a proxy (a restart lost their timers) go a grace period after it is first noticed.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (registry.Source != WorkloadSource.Proxies)
        {
            return;
        }

        using var timer = new PeriodicTimer(SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var entry in store.Current.Model.WorkloadEntries.Where(e => e.Metadata.Annotations.ContainsKey(WorkloadEntryEndpoints.AutoRegistrationGroupAnnotation)))
                {
                    var reference = new ConfigObjectRef("WorkloadEntry", entry.Namespace, entry.Name);
                    if (!HasProxy(entry, registry.Current) && !_removals.ContainsKey(reference.Key))
                    {
                        Disconnected(reference);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        foreach (var timer in _removals.Values)
        {
            timer.Dispose();
        }

        base.Dispose();
    }

    private async Task RemoveIfDisconnectedAsync(ConfigObjectRef reference)
    {
        try
        {
            if (!_removals.TryRemove(reference.Key, out var timer))
            {
                return;
            }

            timer.Dispose();
            var entry = store.Current.Model.WorkloadEntries.FirstOrDefault(e => e.Namespace == reference.Namespace && e.Name == reference.Name);
            if (entry is null || !entry.Metadata.Annotations.ContainsKey(WorkloadEntryEndpoints.AutoRegistrationGroupAnnotation) || registry.ShuttingDown)
            {
                _disconnectedSince.TryRemove(reference.Key, out _);
                return;
            }

            if (HasProxy(entry, registry.Current))
            {
                _disconnectedSince.TryRemove(reference.Key, out _);
                return;
            }

            var result = await store.DeleteAsync([reference], ignoreNotFound: true, CancellationToken.None);
            _disconnectedSince.TryRemove(reference.Key, out var since);
            if (result.Succeeded)
            {
                LogRemoved(logger, reference.Namespace, reference.Name, (time.GetUtcNow() - since).TotalSeconds);
            }
            else
            {
                LogRemoveFailed(logger, reference.Namespace, reference.Name, result.Message);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRemoveFailed(logger, reference.Namespace, reference.Name, ex.Message);
        }
    }

    private void CancelRemoval(string key)
    {
        _disconnectedSince.TryRemove(key, out _);
        if (_removals.TryRemove(key, out var timer))
        {
            timer.Dispose();
        }
    }

    private static bool HasProxy(ConfigResource<WorkloadEntryConfig> entry, RegistrySnapshot snapshot) =>
        snapshot.Workloads.Any(w => WorkloadEntryEndpoints.IsProxyOf(
            w.Node, entry.Metadata.Annotations[WorkloadEntryEndpoints.AutoRegistrationGroupAnnotation], entry.Namespace, entry.Spec.Address));

    /// <summary>The entry as an API-applied object (JSON is YAML): Istio's workloadEntryFromGroup.</summary>
    private static string EntryJson(ConfigObjectRef entry, ConfigResource<WorkloadGroupConfig> group, WorkloadEntryConfig template, Node node)
    {
        // Labels: the template's, overridden by the group's metadata, overridden by the proxy's own.
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Merge(labels, template.Labels);
        Merge(labels, group.Spec.Metadata?.Labels);
        Merge(labels, node.Labels);
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Merge(annotations, group.Spec.Metadata?.Annotations);
        annotations[WorkloadEntryEndpoints.AutoRegistrationGroupAnnotation] = group.Name;
        annotations[ControllerAnnotation] = ControllerName;

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", "networking.istio.io/v1");
            json.WriteString("kind", "WorkloadEntry");
            json.WriteStartObject("metadata");
            json.WriteString("name", entry.Name);
            json.WriteString("namespace", entry.Namespace);
            WriteMap(json, "labels", labels);
            WriteMap(json, "annotations", annotations);
            json.WriteEndObject();
            json.WriteStartObject("spec");
            json.WriteString("address", node.Address);
            WriteMap(json, "labels", labels);
            if (template.Ports.Count > 0)
            {
                json.WriteStartObject("ports");
                foreach (var (name, port) in template.Ports.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteNumber(name, port);
                }

                json.WriteEndObject();
            }

            json.WriteString("serviceAccount", node.ServiceAccount);
            WriteIfSet(json, "locality", template.Locality);
            WriteIfSet(json, "network", template.Network);
            if (template.Weight is { } weight)
            {
                json.WriteNumber("weight", weight);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Merge(SortedDictionary<string, string> into, IEnumerable<KeyValuePair<string, string>>? from)
    {
        foreach (var (key, value) in from ?? [])
        {
            into[key] = value;
        }
    }

    private static void WriteMap(Utf8JsonWriter json, string name, SortedDictionary<string, string> map)
    {
        if (map.Count == 0)
        {
            return;
        }

        json.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            json.WriteString(name, value);
        }
    }

    private RpcException Refuse(Node node, StatusCode code, string reason)
    {
        LogRefused(logger, node.Id, node.Namespace, node.WorkloadGroup, reason);
        return new RpcException(new Status(code, reason));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {ProxyId} registered WorkloadEntry {Namespace}/{Name} from WorkloadGroup {Group} at {Address}")]
    private static partial void LogRegistered(ILogger logger, string proxyId, string @namespace, string name, string group, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the registration of proxy {ProxyId} from WorkloadGroup {Namespace}/{Group}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string proxyId, string @namespace, string group, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed WorkloadEntry {Namespace}/{Name}: its proxy has been disconnected for {Seconds:0.#} s (grace period)")]
    private static partial void LogRemoved(ILogger logger, string @namespace, string name, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove WorkloadEntry {Namespace}/{Name}: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string @namespace, string name, string reason);
}
