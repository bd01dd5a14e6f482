using System.Collections.Frozen;
using System.Text.Json;
using Google.Protobuf;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Admin.AppProbes;
using Mesh.Proxy.Core.Discovery;
using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Admin;

/// <summary>
/// The admin listener: /ready (503 until the first snapshot is applied), /healthz,
/// /config_dump (applied snapshot as JSON, secrets redacted), /listeners (bound ports), POST /explain
/// (what this proxy would do with a request: <see cref="ExplainEndpoint"/>), and the
/// endpoints features add (<see cref="IAdminEndpoint"/>: /stats, /certs), and the app's probes
/// rewritten to /app-health/… (<see cref="AppProbeEndpoint"/>).
/// Requests on other listeners pass through untouched.
/// </summary>
internal sealed class AdminMiddleware
{
    private static readonly JsonFormatter SnapshotFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false).WithPreserveProtoFieldNames(true));

    private readonly RequestDelegate _next;
    private readonly SnapshotState _status;
    private readonly RoutingState _routing;
    private readonly ListenerSet _listeners;
    private readonly ListenerStatusState _listenerStatus;
    private readonly FrozenDictionary<string, IAdminEndpoint> _endpoints;
    private readonly AppProbeEndpoint _appProbes;
    private readonly ExplainEndpoint _explain;
    private readonly string _index;

    public AdminMiddleware(RequestDelegate next, SnapshotState status, RoutingState routing, ListenerSet listeners, ListenerStatusState listenerStatus, IEnumerable<IAdminEndpoint> endpoints, AppProbeEndpoint appProbes, ExplainEndpoint explain)
    {
        _listenerStatus = listenerStatus;
        _next = next;
        _status = status;
        _routing = routing;
        _listeners = listeners;
        _appProbes = appProbes;
        _explain = explain;
        var byPath = endpoints.ToList();
        _endpoints = byPath.ToFrozenDictionary(e => e.Path, StringComparer.Ordinal);
        var paths = new[] { "/ready", "/healthz", "/config_dump", "/listeners", "/explain (POST)" }.Concat(byPath.Select(e => e.Path)).Concat(appProbes.Paths);
        _index = $"admin endpoints: {string.Join(' ', paths)}\n";
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<MeshListener>() is not { Kind: ListenerKind.Admin })
        {
            return _next(context);
        }

        if (context.Request.Path.Value == ExplainEndpoint.Path)
        {
            return _explain.WriteAsync(context);
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return Task.CompletedTask;
        }

        return context.Request.Path.Value switch
        {
            "/ready" => WriteText(context, _status.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, _status.IsReady ? "LIVE\n" : "NOT READY: no snapshot applied yet\n"),
            "/healthz" => WriteText(context, StatusCodes.Status200OK, "OK\n"),
            "/config_dump" => WriteConfigDump(context),
            "/listeners" => WriteListeners(context),
            { } path when _endpoints.TryGetValue(path, out var endpoint) => endpoint.WriteAsync(context),
            { } path when path.StartsWith(AppProbeEndpoint.PathPrefix, StringComparison.Ordinal) => _appProbes.WriteAsync(context),
            _ => WriteText(context, StatusCodes.Status404NotFound, _index),
        };
    }

    private static Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text);
    }

    private Task WriteConfigDump(HttpContext context)
    {
        var applied = _status.Applied;
        var rejected = _status.LastRejected;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("applied_version", applied?.Snapshot.Version);
            json.WriteString("applied_at", applied?.AppliedAt.ToString("O"));
            json.WriteBoolean("ready", _status.IsReady);
            json.WriteBoolean("control_plane_connected", _status.ControlPlaneConnected);
            if (rejected is not null)
            {
                json.WriteStartObject("last_rejected");
                json.WriteString("version", rejected.Version);
                json.WriteString("error", rejected.Error);
                json.WriteString("rejected_at", rejected.RejectedAt.ToString("O"));
                json.WriteEndObject();
            }

            json.WritePropertyName("snapshot");
            if (applied is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteRawValue(SnapshotFormatter.Format(Redact(applied.Snapshot)));
            }

            json.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    private Task WriteListeners(HttpContext context)
    {
        var model = _routing.Current;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            var failures = _listenerStatus.Failures;
            foreach (var listener in _listeners.All)
            {
                if (listener.IsLive && !(model?.LiveListeners.Contains(listener) ?? false))
                {
                    // A live listener of an earlier snapshot, closed since.
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("name", listener.Name);
                json.WriteString("kind", listener.Kind.ToString());
                json.WriteString("address", listener.BindAddress.ToString());
                json.WriteNumber("configured_port", listener.ConfiguredPort);
                json.WriteNumber("port", listener.BoundPort);
                json.WriteString("protocol", listener.Protocol.ToString());
                switch (listener.Kind)
                {
                    case ListenerKind.Inbound:
                        json.WriteNumber("service_port", listener.ServicePort);
                        json.WriteNumber("target_port", listener.TargetPort);
                        json.WriteString("cluster", listener.InboundClusterName);
                        break;
                    case ListenerKind.Outbound:
                        json.WriteString("upstream_host", listener.UpstreamHost);
                        json.WriteNumber("upstream_port", listener.UpstreamPort);
                        json.WriteString("virtual_host", model?.Listeners[listener.Index].BoundVirtualHost?.Name);
                        break;
                    case ListenerKind.Gateway:
                        json.WriteStartArray("gateway_ports");
                        foreach (var port in listener.GatewayPorts)
                        {
                            json.WriteNumberValue(port);
                        }

                        json.WriteEndArray();
                        if (listener.IsLive)
                        {
                            json.WriteBoolean("live", true);
                            if (failures.FirstOrDefault(f => f.Port == listener.ConfiguredPort) is { } failure)
                            {
                                json.WriteBoolean("served", false);
                                json.WriteString("reason", failure.Error);
                            }
                        }

                        break;
                }

                json.WriteEndObject();
            }

            foreach (var unserved in _listeners.Unserved)
            {
                json.WriteStartObject();
                json.WriteString("name", unserved.Name);
                json.WriteString("kind", nameof(ListenerKind.Gateway));
                json.WriteNumber("configured_port", unserved.Port);
                json.WriteBoolean("served", false);
                json.WriteString("reason", unserved.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    /// <summary>Private keys never leave the proxy, not even in a diagnostics dump (as Envoy's config_dump).</summary>
    private static ProxySnapshot Redact(ProxySnapshot snapshot)
    {
        var copy = snapshot.Clone();
        foreach (var cluster in copy.Clusters)
        {
            if (cluster.Tls is { PrivateKeyPem.Length: > 0 } tls)
            {
                tls.PrivateKeyPem = "[redacted]";
            }
        }

        foreach (var server in copy.GatewayServers)
        {
            if (server.Tls is { PrivateKeyPem.Length: > 0 } tls)
            {
                tls.PrivateKeyPem = "[redacted]";
            }
        }

        return copy;
    }
}
