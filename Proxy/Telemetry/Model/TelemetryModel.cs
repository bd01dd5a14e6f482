using System.Collections.Concurrent;
using System.Collections.Frozen;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry.Expressions;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Stats;

namespace Mesh.Proxy.Telemetry.Model;

/// <summary>
/// The telemetry side of one applied snapshot: the Telemetry resource's settings (sampling,
/// access log filter, metric overrides, custom span tags) compiled, who this proxy is, what each
/// cluster's endpoints are, and the label caches built from them. Published with the routing
/// model, so a request sees the telemetry of the configuration it was routed with.
/// </summary>
internal sealed class TelemetryModel
{
    private const int MaxPassthroughServices = 64;
    private readonly ConcurrentDictionary<string, ServiceLabels> _passthrough = new(StringComparer.OrdinalIgnoreCase);

    internal TelemetryModel(TelemetryModelOptions options, EdgeStatsRegistry edges)
    {
        SamplingPercentage = options.SamplingPercentage;
        AccessLogEnabled = options.AccessLogEnabled;
        AccessLogFilter = options.AccessLogFilter;
        CustomTags = options.CustomTags;
        Overrides = options.Overrides;
        Self = options.Self;
        SelfPrincipal = options.SelfPrincipal;
        SelfHeader = PeerMetadataHeader.Format(options.Self);
        InboundService = options.InboundService;
        Clusters = options.Clusters;
        ListenerSpanNames = options.ListenerSpanNames;
        Series = new SeriesCache(options.Overrides, edges);
    }

    /// <summary>Percentage of new traces (no sampling decision from the caller) that are recorded.</summary>
    public double SamplingPercentage { get; }

    public bool AccessLogEnabled { get; }

    /// <summary>Istio's accessLogging filter: a request is logged only when it evaluates to true.</summary>
    public CelProgram? AccessLogFilter { get; }

    /// <summary>Tracing custom tags (literal values) added to every span.</summary>
    public KeyValuePair<string, object?>[] CustomTags { get; }

    public MetricOverridesModel Overrides { get; }

    public WorkloadPeer Self { get; }

    /// <summary>This workload's SPIFFE id, reported when its traffic is mutual TLS.</summary>
    public string SelfPrincipal { get; }

    /// <summary>The peer metadata header value this proxy sends to mesh upstreams.</summary>
    public string SelfHeader { get; }

    /// <summary>The service this sidecar's inbound listeners serve (destination_service at the destination).</summary>
    public ServiceLabels InboundService { get; }

    public FrozenDictionary<string, ClusterTelemetry> Clusters { get; }

    /// <summary>Span names of requests that reach no cluster, by listener index.</summary>
    public string[] ListenerSpanNames { get; }

    internal SeriesCache Series { get; }

    /// <summary>
    /// destination_service of a passthrough request: the host, for a bounded number of hosts (the
    /// app chooses them, so they are not trusted to stay few), then Envoy's "PassthroughCluster".
    /// </summary>
    public ServiceLabels PassthroughService(string authority)
    {
        if (_passthrough.TryGetValue(authority, out var known))
        {
            return known;
        }

        if (_passthrough.Count >= MaxPassthroughServices)
        {
            return ServiceLabels.Passthrough;
        }

        var host = Core.Routing.HostHeader.Split(authority, out _).ToString();
        return _passthrough.GetOrAdd(authority, new ServiceLabels(host, host, WorkloadPeer.Unknown));
    }
}

/// <summary>The parts of a <see cref="TelemetryModel"/> (an options record instead of a long constructor).</summary>
internal sealed record TelemetryModelOptions
{
    public double SamplingPercentage { get; init; } = 100;
    public bool AccessLogEnabled { get; init; }
    public CelProgram? AccessLogFilter { get; init; }
    public KeyValuePair<string, object?>[] CustomTags { get; init; } = [];
    public MetricOverridesModel Overrides { get; init; } = MetricOverridesModel.None;
    public required WorkloadPeer Self { get; init; }
    public required string SelfPrincipal { get; init; }
    public required ServiceLabels InboundService { get; init; }
    public FrozenDictionary<string, ClusterTelemetry> Clusters { get; init; } = FrozenDictionary<string, ClusterTelemetry>.Empty;
    public required string[] ListenerSpanNames { get; init; }
}
