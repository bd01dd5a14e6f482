using System.Collections.Frozen;
using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Telemetry.Expressions;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Stats;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Telemetry.Model;

/// <summary>
/// Pure translation of a snapshot's <see cref="TelemetrySettings"/> (the Telemetry resources that
/// select this proxy) and its clusters into a <see cref="TelemetryModel"/>. Expressions are
/// compiled here: an access log filter or tag override that does not compile, an unknown metric
/// or mode, is a NACK naming the field.
/// </summary>
internal sealed class TelemetryTranslator : IFeatureTranslator
{
    private readonly MeshProxyOptions _options;
    private readonly ListenerSet _listeners;
    private readonly EdgeStatsRegistry _edges;
    private TelemetryModel? _initial;

    public TelemetryTranslator(IOptions<MeshProxyOptions> options, ListenerSet listeners, EdgeStatsRegistry edges)
    {
        _options = options.Value;
        _listeners = listeners;
        _edges = edges;
    }

    public IReadOnlyCollection<string> SnapshotFields { get; } = ["telemetry"];

    /// <summary>Before the first snapshot: defaults, this proxy's identity and no clusters.</summary>
    public TelemetryModel Initial => _initial ??= Translate(new ProxySnapshot { Version = "initial" }, new TranslationErrors());

    /// <summary>Translates the snapshot's telemetry at once; the model is attached to the routing model when the snapshot is accepted.</summary>
    public FeatureTranslation Begin(ProxySnapshot snapshot, TranslationErrors errors) => new SnapshotPart(Translate(snapshot, errors));

    public TelemetryModel Translate(ProxySnapshot snapshot, TranslationErrors errors)
    {
        var settings = snapshot.Telemetry ?? new TelemetrySettings();
        var self = SelfPeer();
        var trustDomain = string.IsNullOrEmpty(snapshot.TrustDomain) ? "cluster.local" : snapshot.TrustDomain;
        var sampling = settings.HasSampling ? settings.SamplingPercentage : 100;
        if (sampling is < 0 or > 100 || double.IsNaN(sampling))
        {
            errors.Add("telemetry.sampling_percentage", $"must be within 0-100 (got {sampling.ToString(CultureInfo.InvariantCulture)})");
        }

        CelProgram? filter = null;
        if (!string.IsNullOrWhiteSpace(settings.AccessLogFilter))
        {
            filter = Compile(settings.AccessLogFilter, "telemetry.access_log_filter", errors);
        }

        return new TelemetryModel(
            new TelemetryModelOptions
            {
                SamplingPercentage = Math.Clamp(sampling, 0, 100),
                AccessLogEnabled = settings.AccessLogEnabled,
                AccessLogFilter = filter,
                CustomTags = CustomTags(settings, errors),
                Overrides = Overrides(settings, errors),
                Self = self,
                SelfPrincipal = $"spiffe://{trustDomain}/ns/{self.Namespace}/sa/{_options.Node.ServiceAccount}",
                InboundService = InboundService(snapshot),
                Clusters = Clusters(snapshot),
                ListenerSpanNames = ListenerSpanNames(),
            },
            _edges);
    }

    private WorkloadPeer SelfPeer()
    {
        var labels = _options.Node.Labels;
        var workload = _options.Node.Workload;
        return new WorkloadPeer(workload, _options.Node.Namespace, WorkloadPeer.AppOf(labels, workload), WorkloadPeer.VersionOf(labels));
    }

    private ServiceLabels InboundService(ProxySnapshot snapshot)
    {
        if (string.IsNullOrWhiteSpace(_options.Service))
        {
            return ServiceLabels.Unknown;
        }

        // Prefer the FQDN the control plane uses for this service (its cluster domain).
        var prefix = $"{_options.Service}.{_options.Node.Namespace}.";
        var fqdn = snapshot.Clusters.Select(c => c.Service).FirstOrDefault(s => s.StartsWith(prefix, StringComparison.Ordinal))
            ?? $"{prefix}svc.cluster.local";
        return new ServiceLabels(fqdn, _options.Service, _options.Node.Namespace);
    }

    private static FrozenDictionary<string, ClusterTelemetry> Clusters(ProxySnapshot snapshot)
    {
        var clusters = new Dictionary<string, ClusterTelemetry>(StringComparer.Ordinal);
        var services = new Dictionary<string, ServiceLabels>(StringComparer.Ordinal);
        foreach (var cluster in snapshot.Clusters)
        {
            if (string.IsNullOrEmpty(cluster.Name) || clusters.ContainsKey(cluster.Name))
            {
                continue; // the routing translator reports these
            }

            var host = string.IsNullOrEmpty(cluster.Service) ? cluster.Name : cluster.Service;
            if (!services.TryGetValue(host, out var service))
            {
                services[host] = service = ServiceLabels.FromHost(host);
            }

            var istioMutual = cluster.Tls?.Mode == UpstreamTls.Types.Mode.IstioMutual;
            var endpoints = new Dictionary<string, EndpointTelemetry>(StringComparer.OrdinalIgnoreCase);
            var inMesh = !cluster.External;
            foreach (var endpoint in cluster.Endpoints)
            {
                var authority = ClusterConventions.FormatAuthority(endpoint.Address, endpoint.Port);
                var labels = endpoint.Labels;
                var workload = string.IsNullOrEmpty(endpoint.Workload) ? null : endpoint.Workload;
                var peer = workload is null && labels.Count == 0
                    ? WorkloadPeer.UnknownPeer
                    : new WorkloadPeer(workload, endpoint.Namespace, WorkloadPeer.AppOf(labels, workload), WorkloadPeer.VersionOf(labels));
                var mutualTls = (endpoint.Mtls && cluster.Tls is null) || istioMutual;
                var principal = mutualTls && !string.IsNullOrEmpty(endpoint.Identity) ? endpoint.Identity : WorkloadPeer.Unknown;
                endpoints.TryAdd(authority, new EndpointTelemetry(peer, principal, mutualTls));
            }

            var spanName = cluster.Port == 0 ? $"{host}/*" : $"{host}:{cluster.Port.ToString(CultureInfo.InvariantCulture)}/*";
            clusters[cluster.Name] = new ClusterTelemetry(service, spanName, inMesh, endpoints.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        }

        return clusters.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private string[] ListenerSpanNames()
    {
        var names = new string[_listeners.All.Count];
        foreach (var listener in _listeners.All)
        {
            names[listener.Index] = listener.Kind switch
            {
                ListenerKind.Inbound => string.IsNullOrEmpty(_options.Service)
                    ? $"inbound|{listener.ServicePort.ToString(CultureInfo.InvariantCulture)}/*"
                    : $"{_options.Service}.{_options.Node.Namespace}:{listener.ServicePort.ToString(CultureInfo.InvariantCulture)}/*",
                ListenerKind.Outbound => listener.UpstreamPort == 0
                    ? $"{listener.UpstreamHost}/*"
                    : $"{listener.UpstreamHost}:{listener.UpstreamPort.ToString(CultureInfo.InvariantCulture)}/*",
                ListenerKind.Gateway => $"{_options.Node.Workload}:{listener.BoundPort.ToString(CultureInfo.InvariantCulture)}/*",
                _ => $"{listener.Name}/*",
            };
        }

        return names;
    }

    private static KeyValuePair<string, object?>[] CustomTags(TelemetrySettings settings, TranslationErrors errors)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        for (var i = 0; i < settings.CustomTags.Count; i++)
        {
            var entry = settings.CustomTags[i];
            var equals = entry.IndexOf('=');
            if (equals <= 0)
            {
                errors.Add($"telemetry.custom_tags[{i}]", $"'{entry}' is not of the form name=value");
                continue;
            }

            tags.Add(new KeyValuePair<string, object?>(entry[..equals], entry[(equals + 1)..]));
        }

        return [.. tags];
    }

    private static MetricOverridesModel Overrides(TelemetrySettings settings, TranslationErrors errors)
    {
        if (settings.MetricOverrides.Count == 0)
        {
            return MetricOverridesModel.None;
        }

        var disabled = new bool[IstioMetrics.Count * 2];
        var removed = new List<string>[IstioMetrics.Count * 2];
        var upserts = new List<KeyValuePair<string, CelProgram>>[IstioMetrics.Count * 2];
        var touched = new bool[IstioMetrics.Count * 2];
        for (var i = 0; i < settings.MetricOverrides.Count; i++)
        {
            var metricOverride = settings.MetricOverrides[i];
            var path = $"telemetry.metric_overrides[{i}]";
            var metrics = MetricsOf(metricOverride.Metric, $"{path}.metric", errors);
            var reporters = ReportersOf(metricOverride.Mode, $"{path}.mode", errors);
            var compiled = new List<KeyValuePair<string, CelProgram>>();
            foreach (var (tag, expression) in metricOverride.TagOverridesUpsert.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                if (string.IsNullOrWhiteSpace(tag))
                {
                    errors.Add($"{path}.tag_overrides_upsert", "tag names must not be empty");
                }
                else if (Compile(expression, $"{path}.tag_overrides_upsert[{tag}]", errors) is { } program)
                {
                    compiled.Add(new KeyValuePair<string, CelProgram>(tag, program));
                }
            }

            foreach (var metric in metrics)
            {
                foreach (var reporter in reporters)
                {
                    var index = MetricOverridesModel.Index(metric, reporter);
                    touched[index] = true;
                    disabled[index] |= metricOverride.Disabled;
                    var remove = removed[index] ??= [];
                    var upsert = upserts[index] ??= [];
                    foreach (var tag in metricOverride.TagOverridesRemove)
                    {
                        upsert.RemoveAll(u => u.Key == tag);
                        if (!remove.Contains(tag))
                        {
                            remove.Add(tag);
                        }
                    }

                    foreach (var added in compiled)
                    {
                        remove.Remove(added.Key);
                        upsert.RemoveAll(u => u.Key == added.Key);
                        upsert.Add(added);
                    }
                }
            }
        }

        var views = new MetricView?[IstioMetrics.Count * 2];
        for (var i = 0; i < views.Length; i++)
        {
            if (touched[i])
            {
                views[i] = new MetricView(disabled[i], removed[i], upserts[i]);
            }
        }

        return new MetricOverridesModel(views);
    }

    private static IstioMetric[] MetricsOf(string name, string path, TranslationErrors errors)
    {
        if (string.IsNullOrEmpty(name) || name == IstioMetrics.AllMetrics)
        {
            return Enum.GetValues<IstioMetric>();
        }

        if (IstioMetrics.ByName.TryGetValue(name, out var metric))
        {
            return [metric];
        }

        errors.Add(path, $"'{name}' is not one of Istio's standard metrics ({string.Join(", ", IstioMetrics.ByName.Keys)}, {IstioMetrics.AllMetrics}); custom metrics are not supported");
        return [];
    }

    private static Reporter[] ReportersOf(string mode, string path, TranslationErrors errors)
    {
        switch (mode)
        {
            case "" or "CLIENT_AND_SERVER":
                return [Reporter.Source, Reporter.Destination];
            case "CLIENT":
                return [Reporter.Source];
            case "SERVER":
                return [Reporter.Destination];
            default:
                errors.Add(path, $"'{mode}' is not a workload mode (CLIENT, SERVER, CLIENT_AND_SERVER)");
                return [];
        }
    }

    private static CelProgram? Compile(string expression, string path, TranslationErrors errors)
    {
        try
        {
            return CelProgram.Compile(expression);
        }
        catch (CelSyntaxException ex)
        {
            errors.Add(path, $"'{expression}' is not a valid expression: {ex.Message}");
            return null;
        }
    }

    private sealed class SnapshotPart(TelemetryModel model) : FeatureTranslation
    {
        public override void OnTranslated(SnapshotTranslation snapshot) => snapshot.SetModel(model);
    }
}
