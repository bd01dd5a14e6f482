using System.Diagnostics;
using Mesh.Proxy.Core.Listeners;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// What routing decided for one request and how the request ended — the only per-request state
/// the stages share (Envoy's StreamInfo: route, upstream cluster, response flags, attempt count).
/// One pooled object per request, set as an HttpContext feature by the routing stage; every stage
/// keeps anything else it needs in its own feature. Do not keep a reference after the request: it
/// is reused.
/// </summary>
public sealed class RoutingResult
{
    /// <summary>The listener the request arrived on.</summary>
    public MeshListener Listener { get; internal set; } = null!;

    /// <summary>The routing model (one applied snapshot) the request is routed with; null before the first snapshot.</summary>
    public RoutingModel? Model { get; internal set; }

    public VirtualHostModel? VirtualHost { get; internal set; }

    /// <summary>The matched route; null on inbound listeners (their cluster is fixed) and when no route matched.</summary>
    public HttpRouteModel? Route { get; internal set; }

    /// <summary>The cluster picked for the request; null until the router picked one (or when none was reached).</summary>
    public UpstreamCluster? Cluster { get; internal set; }

    /// <summary>Passthrough (ALLOW_ANY or PASSTHROUGH load balancing): the authority forwarded to.</summary>
    public string? PassthroughAuthority { get; internal set; }

    /// <summary>Why the response is what it is (Envoy's response flags); stages add to them, never clear them.</summary>
    public ResponseFlags Flags { get; private set; }

    public string FlagsText => ResponseFlagsText.Format(Flags);

    /// <summary>Upstream attempts made (1 + retries); 0 when the request never left the proxy.</summary>
    public int Attempts { get; internal set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when routing started.</summary>
    public long StartTimestamp { get; internal set; }

    /// <summary>
    /// The caller's own abort token. While the router runs an upstream attempt,
    /// <c>HttpContext.RequestAborted</c> is that attempt's token (linked to the route and per-try
    /// timers), so a stage telling "the caller went away" from "a timer fired" compares with this.
    /// </summary>
    public CancellationToken CallerAborted { get; internal set; }

    /// <summary>The router's attempt state (retries, body replay, tried endpoints); only the router touches it.</summary>
    internal UpstreamAttempts Upstream { get; } = new();

    public void AddFlags(ResponseFlags flags) => Flags |= flags;

    internal void Reset()
    {
        Listener = null!;
        Model = null;
        VirtualHost = null;
        Route = null;
        Cluster = null;
        PassthroughAuthority = null;
        Flags = ResponseFlags.None;
        Attempts = 0;
        StartTimestamp = 0;
        CallerAborted = default;
        Upstream.Reset();
    }
}
