using System.Diagnostics;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Per-request mesh state, one pooled object set as an HttpContext feature: what the routing
/// decided and what happened upstream. Telemetry and access logs read it when the request ends
/// (see <see cref="IMeshRequestObserver"/>).
/// </summary>
public sealed class MeshRequestFeature
{
    private DestinationState?[] _tried = new DestinationState?[4];

    public MeshListener Listener { get; internal set; } = null!;

    /// <summary>The routing model the request was routed with (null before the first snapshot).</summary>
    public RoutingModel? Model { get; internal set; }

    public VirtualHostModel? VirtualHost { get; internal set; }

    public HttpRouteModel? Route { get; internal set; }

    public UpstreamCluster? Cluster { get; internal set; }

    /// <summary>Passthrough (ALLOW_ANY or PASSTHROUGH load balancing): the authority forwarded to.</summary>
    public string? PassthroughAuthority { get; internal set; }

    public ResponseFlags Flags { get; internal set; }

    /// <summary>Upstream attempts made (1 + retries); 0 when the request never left the proxy.</summary>
    public int Attempts { get; internal set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when routing started.</summary>
    public long StartTimestamp { get; internal set; }

    public string FlagsText => ResponseFlagsText.Format(Flags);

    internal RetryPolicyModel? Retry { get; set; }

    /// <summary>Set before each attempt: a retriable response may be suppressed and retried.</summary>
    internal bool RetryPossible { get; set; }

    internal AttemptResult AttemptResult { get; set; }

    internal RequestBodyReplay? BodyReplay { get; set; }

    /// <summary>A single attempt was forwarded without the attempt loop; its failure still needs mapping.</summary>
    internal bool SingleAttemptPending { get; set; }

    internal int TriedCount { get; private set; }

    /// <summary>The caller's own abort token (attempts run with tokens linked to the route and per-try timers).</summary>
    internal CancellationToken CallerAborted { get; set; }

    /// <summary>A consistent-hash cookie the proxy generated for this request; set on the response.</summary>
    internal string? HashCookie { get; set; }

    /// <summary>A retry is reserved under the cluster's http.maxRetries budget until the retried attempt ends.</summary>
    internal bool RetryReserved { get; private set; }

    /// <summary>
    /// Reserves the next retry under the cluster's retry budget; false when the budget is exhausted.
    /// As in Envoy, a retry holds its place from the decision to retry until the next decision (or
    /// the end of the exchange), and that place is given back before deciding again.
    /// </summary>
    internal bool TryReserveRetry()
    {
        if (Cluster is not { Traffic: { } traffic } cluster)
        {
            return true;
        }

        EndReservedRetry();
        if (!traffic.TryBeginRetry(cluster.IsBound ? cluster.State : null))
        {
            return false;
        }

        RetryReserved = true;
        return true;
    }

    /// <summary>Gives back the request's place in the retry budget (its retry has produced an outcome).</summary>
    internal void EndReservedRetry()
    {
        if (RetryReserved)
        {
            RetryReserved = false;
            Cluster?.Traffic?.EndRetry();
        }
    }

    internal void AddFlags(ResponseFlags flags) => Flags |= flags;

    internal void RecordTried(DestinationState destination)
    {
        if (TriedCount == _tried.Length)
        {
            Array.Resize(ref _tried, _tried.Length * 2);
        }

        _tried[TriedCount++] = destination;
    }

    internal bool WasTried(DestinationState destination)
    {
        for (var i = 0; i < TriedCount; i++)
        {
            if (ReferenceEquals(_tried[i], destination))
            {
                return true;
            }
        }

        return false;
    }

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
        Retry = null;
        RetryPossible = false;
        AttemptResult = AttemptResult.None;
        BodyReplay = null;
        SingleAttemptPending = false;
        CallerAborted = default;
        HashCookie = null;
        RetryReserved = false;
        Array.Clear(_tried, 0, TriedCount);
        TriedCount = 0;
    }
}
