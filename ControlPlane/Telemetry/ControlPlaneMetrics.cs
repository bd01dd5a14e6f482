using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Mesh.Config.Model;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Telemetry;

/// <summary>
/// The control plane's own metrics, named like istiod's where istiod has one: connected proxies
/// (<c>pilot_xds</c>), snapshot pushes, push latency from a change to the proxy's ACK
/// (<c>pilot_proxy_convergence_time</c>), NACKs (<c>pilot_total_xds_rejects</c>), rejected config
/// changes and their errors, and workload certificates issued
/// (<c>citadel_server_success_cert_issuance_count</c>). Exported over OTLP with the rest of the
/// control plane's telemetry (meter <see cref="MeterName"/>).
/// </summary>
internal sealed class ControlPlaneMetrics : IDiscoveryObserver
{
    public const string MeterName = "Mesh.ControlPlane";

    /// <summary>Convergence buckets (seconds): finer than istiod's, a local push takes milliseconds.</summary>
    private static readonly double[] ConvergenceBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _pushes;
    private readonly Histogram<double> _convergence;
    private readonly Counter<long> _nacks;
    private readonly Counter<long> _configRejections;
    private readonly Counter<long> _configErrors;
    private readonly Counter<long> _certificatesIssued;
    private readonly ChangeTimeline _changes;
    private readonly ConditionalWeakTable<ProxyConnection, AckHistory> _acks = [];

    public ControlPlaneMetrics(IMeterFactory meters, ConnectedProxies proxies, ChangeTimeline changes)
    {
        _changes = changes;
        Meter = meters.Create(MeterName);
        Meter.CreateObservableGauge("pilot_xds", () => ConnectedByMode(proxies), "{proxy}", "Proxies connected to the control plane's discovery stream");
        _pushes = Meter.CreateCounter<long>("pilot_xds_pushes", "{snapshot}", "Snapshots written to proxies");
        _convergence = Meter.CreateHistogram("pilot_proxy_convergence_time", "s",
            "Time from the change that produced a proxy's new snapshot to the proxy's ACK of it", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = ConvergenceBuckets });
        _nacks = Meter.CreateCounter<long>("pilot_total_xds_rejects", "{snapshot}", "Snapshots proxies rejected (NACK)");
        _configRejections = Meter.CreateCounter<long>("pilot_config_rejections", "{change}", "Configuration changes refused whole (the last good configuration keeps serving)");
        _configErrors = Meter.CreateCounter<long>("pilot_config_errors", "{error}", "Errors found in refused configuration changes");
        _certificatesIssued = Meter.CreateCounter<long>("citadel_server_success_cert_issuance_count", "{certificate}", "Workload certificates the mesh CA signed");
    }

    public Meter Meter { get; }

    /// <summary>A snapshot was written to a proxy's stream.</summary>
    public void SnapshotPushed(string mode) => _pushes.Add(1, new KeyValuePair<string, object?>("mode", mode));

    /// <summary>
    /// A proxy acknowledged <paramref name="version"/>. When that is the snapshot last sent to it,
    /// records the time from the latest change before the send (and after the previous
    /// acknowledged send) to now; the first snapshot of a stream answers a connect, not a change,
    /// and is not measured. An ACK that arrives after a newer snapshot was sent is stale and
    /// ignored: when that was the first snapshot's, the changes since the first send are measured
    /// on the next ACK (taking the next ACK for the connect's answer lost them).
    /// </summary>
    public void ProxyAcked(ProxyConnection connection, string version)
    {
        var status = connection.GetStatus();
        if (status.SentVersion != version || status.SentAt is not { } sentAt || status.AckedAt is not { } ackedAt)
        {
            return;
        }

        var history = _acks.GetOrCreateValue(connection);
        DateTimeOffset? previousSend;
        lock (history)
        {
            if (history.LastSentAt == sentAt)
            {
                return; // a repeated ACK of the same send
            }

            previousSend = history.LastSentAt ?? (sentAt == status.FirstSentAt ? null : status.FirstSentAt);
            history.LastSentAt = sentAt;
        }

        if (previousSend is { } after && _changes.LatestBetween(after, sentAt) is { } changedAt)
        {
            _convergence.Record(Math.Max(0, (ackedAt - changedAt).TotalSeconds), new KeyValuePair<string, object?>("mode", status.Kind));
        }
    }

    public void ProxyNacked(string mode) => _nacks.Add(1, new KeyValuePair<string, object?>("mode", mode));

    /// <summary>A configuration change was refused; errors are counted by the kind they name (bounded: the config kinds).</summary>
    public void ConfigRejected(ConfigRejection rejection)
    {
        _configRejections.Add(1, new KeyValuePair<string, object?>("source", SourceLabel(rejection.Source)));
        foreach (var group in rejection.Errors.GroupBy(e => KindLabel(e.Kind)))
        {
            _configErrors.Add(group.Count(), new KeyValuePair<string, object?>("kind", group.Key));
        }
    }

    public void CertificateIssued() => _certificatesIssued.Add(1);

    private static IEnumerable<Measurement<int>> ConnectedByMode(ConnectedProxies proxies)
    {
        var sidecars = 0;
        var gateways = 0;
        foreach (var connection in proxies.All)
        {
            if (connection.Node.Mode == Contracts.Snapshots.ProxyMode.Gateway)
            {
                gateways++;
            }
            else
            {
                sidecars++;
            }
        }

        return
        [
            new Measurement<int>(sidecars, new KeyValuePair<string, object?>("mode", "sidecar")),
            new Measurement<int>(gateways, new KeyValuePair<string, object?>("mode", "gateway")),
        ];
    }

    // Rejection sources are a handful of fixed strings ("files", "api apply" ...), file events add a
    // path after a colon: keep only the fixed part so the label stays bounded.
    private static string SourceLabel(string source)
    {
        var end = source.IndexOfAny([':', '(']);
        return (end < 0 ? source : source[..end]).Trim();
    }

    private static string KindLabel(string? kind) => kind is null ? "unknown" : ConfigKinds.FindExact(kind)?.Kind ?? "unknown";

    private sealed class AckHistory
    {
        public DateTimeOffset? LastSentAt { get; set; }
    }
}
