using System.Diagnostics;
using Mesh.Proxy.Core.Listeners;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Telemetry.Tracing;

/// <summary>
/// Starts the spans of a proxy hop: a server span where the request enters the mesh side of the
/// proxy (a sidecar's inbound, a gateway), a client span where it leaves towards a cluster (a
/// sidecar's outbound, a gateway's upstream call). The caller's sampling decision is honoured;
/// a new trace is sampled with the Telemetry resource's percentage. An unsampled span is still
/// created so the decision (and the trace id) propagates to the next hop, as Envoy does.
/// </summary>
internal sealed class ProxyTracing : IDisposable
{
    public const string SourceName = "Mesh.Proxy";

    private static readonly string? Version = typeof(ProxyTracing).Assembly.GetName().Version?.ToString();

    public ActivitySource Source { get; } = new(SourceName, Version);

    /// <summary>Whether anything listens to the proxy's spans (tracing is exported or observed).</summary>
    public bool IsEnabled => Source.HasListeners();

    /// <summary>
    /// Starts the hop's spans and returns the innermost (the one upstream calls continue from);
    /// <paramref name="server"/> is set when a separate server span wraps it (gateways).
    /// </summary>
    /// <param name="samplingPercentage">The Telemetry resource's sampling of new traces (0-100).</param>
    public Activity? Start(HttpContext context, MeshListener listener, double samplingPercentage, string name, out Activity? server, out TraceHeaderStyle style)
    {
        server = null;
        var headers = context.Request.Headers;
        var hasParent = TraceContextHeaders.TryExtract(headers, out var parent, out style, out var deferred);
        if (!hasParent || deferred)
        {
            var sampled = samplingPercentage >= 100 || (samplingPercentage > 0 && Random.Shared.NextDouble() * 100 < samplingPercentage);
            if (!hasParent)
            {
                // A new trace is this proxy's decision alone: without this, the activity ASP.NET Core
                // starts for every request (unsampled when the caller sent no context) would become
                // the implicit parent and the parent-based sampler would drop every new trace.
                Activity.Current = null;
                return sampled ? StartHop(listener, name, default, out server) : StartUnsampledRoot(name);
            }

            parent = new ActivityContext(parent.TraceId, parent.SpanId, sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None, parent.TraceState, isRemote: true);
        }

        return StartHop(listener, name, parent, out server);
    }

    public void Dispose() => Source.Dispose();

    private Activity? StartHop(MeshListener listener, string name, ActivityContext parent, out Activity? server)
    {
        server = null;
        switch (listener.Kind)
        {
            case ListenerKind.Inbound:
                return Source.StartActivity(name, ActivityKind.Server, parent);
            case ListenerKind.Gateway:
                server = Source.StartActivity(name, ActivityKind.Server, parent);
                if (server is null)
                {
                    return null;
                }

                // The upstream call is its own span under the gateway's server span.
                var client = Source.StartActivity(name, ActivityKind.Client, server.Context);
                if (client is null)
                {
                    (client, server) = (server, null);
                }

                return client;
            default:
                return Source.StartActivity(name, ActivityKind.Client, parent);
        }
    }

    /// <summary>A new trace this proxy decided not to sample: propagate the decision, record nothing.</summary>
    private static Activity StartUnsampledRoot(string name)
    {
        var activity = new Activity(name);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.None;
        return activity.Start();
    }
}
