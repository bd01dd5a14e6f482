using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Mesh.Config.Model;
using Mesh.ControlPlane.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// An in-process HTTP server on 127.0.0.1 that speaks the part of the Kubernetes API the control
/// plane's Kubernetes mode uses: list and watch (newline-delimited events, history replay from a
/// resource version, 410 Gone for compacted versions) of the mesh CRD paths across namespaces,
/// the status subresource (merge patch), TokenReview, Secrets and ConfigMaps, Pods and EndpointSlices,
/// and the Leases of leader election. There is no real API server on
/// these machines; this is what the Kubernetes mode is tested against.
/// </summary>
public sealed partial class FakeKubernetesApiServer : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Plural, string Type, JsonObject Object)> _history = [];
    private readonly List<(string Plural, Channel<string> Events)> _watches = [];
    private readonly Dictionary<string, JsonObject> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _tokens = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private long _resourceVersion = 100;
    private long _compactedBelow;

    private FakeKubernetesApiServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public List<string> StatusPatches { get; } = [];

    public Dictionary<string, int> ListCounts { get; } = new(StringComparer.Ordinal);

    public int TokenReviews { get; private set; }

    public static async Task<FakeKubernetesApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeKubernetesApiServer(app);
        app.MapGet("/apis/{group}/{version}/{plural}", server.ListOrWatchAsync);
        app.MapMethods("/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}/status", ["PATCH"], server.PatchStatusAsync);
        app.MapMethods("/apis/{group}/{version}/{plural}/{name}/status", ["PATCH"],
            (HttpContext context, string group, string version, string plural, string name) => server.PatchStatusAsync(context, group, version, "", plural, name));
        app.MapPost("/apis/authentication.k8s.io/v1/tokenreviews", server.ReviewTokenAsync);
        app.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", server.GetSecret);
        app.MapGet("/api/v1/namespaces/{ns}/secrets", server.ListOrWatchSecretsAsync);
        app.MapPost("/api/v1/namespaces/{ns}/secrets", server.CreateSecretAsync);
        app.MapGet("/api/v1/namespaces/{ns}/configmaps", server.ListOrWatchConfigMapsAsync);
        server.MapWorkloads(app);
        server.MapLeases(app);
        await app.StartAsync();
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    /// <summary>Creates or replaces an object from YAML (generation moves when the spec changes); watchers see it unless <paramref name="notify"/> is false.</summary>
    public void Apply(ConfigKind kind, string yaml, bool notify = true)
    {
        var document = (JsonObject)YamlDocuments.ToJson(yaml);
        var metadata = (JsonObject)document["metadata"]!;
        if (!kind.ClusterScoped)
        {
            metadata["namespace"] ??= "default";
        }

        var resource = Resource(kind.Group, kind.Plural);
        var key = Key(resource, metadata["namespace"]?.GetValue<string>() ?? "", metadata["name"]!.GetValue<string>());
        lock (_gate)
        {
            var exists = _objects.TryGetValue(key, out var previous);
            var generation = !exists ? 1 : previous!["metadata"]!["generation"]!.GetValue<long>()
                + (JsonNode.DeepEquals(previous["spec"], document["spec"]) ? 0 : 1);
            metadata["generation"] = generation;
            metadata["uid"] = exists ? previous!["metadata"]!["uid"]!.DeepClone() : Guid.NewGuid().ToString();
            metadata["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (exists && previous!["status"] is { } status)
            {
                document["status"] = status.DeepClone();
            }

            _objects[key] = document;
            Record(resource, exists ? "MODIFIED" : "ADDED", document, notify);
        }
    }

    public void Delete(ConfigKind kind, string ns, string name)
    {
        lock (_gate)
        {
            if (_objects.Remove(Key(Resource(kind.Group, kind.Plural), ns, name), out var removed))
            {
                removed["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
                Record(Resource(kind.Group, kind.Plural), "DELETED", removed, notify: true);
            }
        }
    }

    public JsonObject? Get(ConfigKind kind, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(Key(Resource(kind.Group, kind.Plural), ns, name), out var value) ? (JsonObject)value.DeepClone() : null;
        }
    }

    /// <summary>The Accepted condition the control plane wrote: (status, message, observedGeneration).</summary>
    public (string? Status, string? Message, long? ObservedGeneration) AcceptedCondition(ConfigKind kind, string ns, string name)
    {
        var status = Get(kind, ns, name)?["status"];
        var condition = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == "Accepted");
        return (condition?["status"]?.GetValue<string>(), condition?["message"]?.GetValue<string>(), status?["observedGeneration"]?.GetValue<long>());
    }

    /// <summary>Sets an object's status as another controller would have written it (before the control plane starts).</summary>
    public void SetStatus(ConfigKind kind, string ns, string name, JsonObject status)
    {
        lock (_gate)
        {
            _objects[Key(Resource(kind.Group, kind.Plural), ns, name)]["status"] = status.DeepClone();
        }
    }

    /// <summary>Ends every open watch and forgets history up to now: a watch resumed from an older version gets 410 Gone.</summary>
    public void ExpireWatches()
    {
        lock (_gate)
        {
            _compactedBelow = _resourceVersion + 1;
            _history.Clear();
            foreach (var (_, events) in _watches)
            {
                events.Writer.TryComplete();
            }

            _watches.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        ExpireWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ListOrWatchAsync(HttpContext context, string group, string version, string plural)
    {
        var kind = ConfigKinds.All.FirstOrDefault(k => k.Plural == plural && k.Group == group);
        if (kind is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (context.Request.Query["watch"] is ["true" or "1"])
        {
            await WatchAsync(context, Resource(group, plural), long.Parse(context.Request.Query["resourceVersion"].ToString(), System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        JsonObject list;
        lock (_gate)
        {
            var resource = Resource(group, plural);
            ListCounts[resource] = ListCounts.GetValueOrDefault(resource) + 1;
            list = new JsonObject
            {
                ["apiVersion"] = $"{group}/{version}",
                ["kind"] = kind.Kind + "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. _objects.Where(o => o.Key.StartsWith(resource + "/", StringComparison.Ordinal)).Select(o => (JsonNode)o.Value.DeepClone())]),
            };
        }

        await Results.Text(list.ToJsonString(), "application/json").ExecuteAsync(context);
    }

    private async Task WatchAsync(HttpContext context, string plural, long from)
    {
        var events = Channel.CreateUnbounded<string>();
        lock (_gate)
        {
            if (from < _compactedBelow)
            {
                events.Writer.TryWrite(Event("ERROR", new JsonObject
                {
                    ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = "Expired", ["code"] = 410,
                    ["message"] = $"too old resource version: {from} ({_compactedBelow})",
                }));
                events.Writer.TryComplete();
            }
            else
            {
                foreach (var past in _history.Where(h => h.Plural == plural && h.Version > from))
                {
                    events.Writer.TryWrite(Event(past.Type, past.Object));
                }

                _watches.Add((plural, events));
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await foreach (var line in events.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _watches.RemoveAll(w => w.Events == events);
            }
        }
    }

    private async Task PatchStatusAsync(HttpContext context, string group, string version, string ns, string plural, string name)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var patch = JsonNode.Parse(body)!.AsObject();
        lock (_gate)
        {
            var resource = Resource(group, plural);
            StatusPatches.Add($"{resource}/{ns}/{name}");
            if (!_objects.TryGetValue(Key(resource, ns, name), out var current))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            current["status"] = patch["status"]!.DeepClone();
            current["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Record(resource, "MODIFIED", current, notify: true);
            context.Response.ContentType = "application/json";
            body = current.ToJsonString();
        }

        await context.Response.WriteAsync(body);
    }

    private void Record(string plural, string type, JsonObject value, bool notify)
    {
        var snapshot = (JsonObject)value.DeepClone();
        _history.Add((_resourceVersion, plural, type, snapshot));
        if (!notify)
        {
            return;
        }

        foreach (var (watched, events) in _watches.Where(w => w.Plural == plural))
        {
            events.Writer.TryWrite(Event(type, snapshot));
        }
    }

    private static string Event(string type, JsonObject value) =>
        new JsonObject { ["type"] = type, ["object"] = value.DeepClone() }.ToJsonString() + "\n";

    private static string Key(string resource, string ns, string name) => $"{resource}/{ns}/{name}";

    /// <summary>Istio's resources by plural (as tests name them), others qualified by group: <c>gateways.gateway.networking.k8s.io</c>.</summary>
    private static string Resource(string group, string plural) => group.EndsWith(".istio.io", StringComparison.Ordinal) ? plural : $"{plural}.{group}";
}
