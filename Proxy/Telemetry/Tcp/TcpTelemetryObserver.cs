using System.Collections.Concurrent;
using System.Net;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Telemetry.AccessLog;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Stats;
using Microsoft.Extensions.Hosting;

namespace Mesh.Proxy.Telemetry.Tcp;

/// <summary>
/// Istio's TCP telemetry for every connection the L4 proxy serves: <c>istio_tcp_connections_opened_total</c>
/// once its upstream is known, <c>istio_tcp_sent_bytes_total</c> / <c>_received_bytes_total</c>
/// every <see cref="ReportingInterval"/> while it is open and at its end (Istio's stats filter
/// reports long connections periodically), <c>istio_tcp_connections_closed_total</c>, the console's
/// graph edge (connections and bytes), and one access log line per connection. The destination side
/// learns its caller from the TCP peer metadata frame, else from the mTLS principal.
/// </summary>
internal sealed class TcpTelemetryObserver : ITcpSessionObserver, IHostedService, IDisposable
{
    public static readonly TimeSpan ReportingInterval = TimeSpan.FromSeconds(5);

    private readonly ProxyInstruments _instruments;
    private readonly TelemetryTranslator _translator;
    private readonly PeerMetadataHeader _peerHeaders;
    private readonly PrincipalPeers _principalPeers = new();
    private readonly AccessLogQueue _accessLogs;
    private readonly EdgeStatsRegistry _edges;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<TcpProxySession, TcpConnectionReport> _open = new(ReferenceEqualityComparer.Instance);
    private ITimer? _timer;

    public TcpTelemetryObserver(
        ProxyInstruments instruments,
        TelemetryTranslator translator,
        PeerMetadataHeader peerHeaders,
        AccessLogQueue accessLogs,
        EdgeStatsRegistry edges,
        TimeProvider time)
    {
        _instruments = instruments;
        _translator = translator;
        _peerHeaders = peerHeaders;
        _accessLogs = accessLogs;
        _edges = edges;
        _time = time;
    }

    public void OnOpened(TcpProxySession session)
    {
        var report = Start(session);
        _open[session] = report;
        if (report.Opened is { } labels)
        {
            _instruments.ConnectionsOpened.Add(1, labels);
        }

        report.Edge?.RecordTcpOpened();
    }

    public void OnClosed(TcpProxySession session)
    {
        if (!_open.TryRemove(session, out var report))
        {
            // Refused before an upstream was chosen (no route, authorization): it opened and closed at once.
            report = Start(session);
            if (report.Opened is { } opened)
            {
                _instruments.ConnectionsOpened.Add(1, opened);
            }

            report.Edge?.RecordTcpOpened();
        }

        Flush(report);
        if (Labels(report, IstioMetric.TcpClosedConnections) is { } closed)
        {
            _instruments.ConnectionsClosed.Add(1, closed);
        }

        var failed = (session.Flags & (ResponseFlags.UpstreamConnectionFailure | ResponseFlags.NoHealthyUpstream | ResponseFlags.UpstreamOverflow | ResponseFlags.NoRouteFound | ResponseFlags.UpstreamConnectionTermination)) != 0
            || session.CloseReason?.StartsWith("RBAC", StringComparison.Ordinal) == true;
        report.Edge?.RecordTcpClosed(failed);
        if (report.Model.AccessLogEnabled)
        {
            var duration = _time.GetElapsedTime(session.StartTimestamp, session.EndTimestamp == 0 ? _time.GetTimestamp() : session.EndTimestamp);
            if (report.Model.AccessLogFilter is null || report.Model.AccessLogFilter.Matches(new TcpCelAttributes(session, duration)))
            {
                _accessLogs.TryEnqueue(AccessLogOf(session, report, duration));
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = _time.CreateTimer(_ => FlushOpen(), null, ReportingInterval, ReportingInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void FlushOpen()
    {
        foreach (var report in _open.Values)
        {
            Flush(report);
        }
    }

    /// <summary>Adds the bytes moved since the last report (one flusher at a time per connection).</summary>
    private void Flush(TcpConnectionReport report)
    {
        lock (report)
        {
            var session = report.Session;
            var sent = session.BytesSent;
            var received = session.BytesReceived;
            var sentDelta = sent - report.ReportedSent;
            var receivedDelta = received - report.ReportedReceived;
            report.ReportedSent = sent;
            report.ReportedReceived = received;
            if (sentDelta > 0 && Labels(report, IstioMetric.TcpSentBytes) is { } sentLabels)
            {
                _instruments.TcpSentBytes.Add(sentDelta, sentLabels);
            }

            if (receivedDelta > 0 && Labels(report, IstioMetric.TcpReceivedBytes) is { } receivedLabels)
            {
                _instruments.TcpReceivedBytes.Add(receivedDelta, receivedLabels);
            }

            report.Edge?.AddTcpBytes(sentDelta, receivedDelta);
        }
    }

    private static KeyValuePair<string, object?>[]? Labels(TcpConnectionReport report, IstioMetric metric) =>
        TcpMetricLabels.Build(report.Model, report.Peers, report.Session.Flags, metric, new TcpCelAttributes(report.Session, TimeSpan.Zero));

    private TcpConnectionReport Start(TcpProxySession session)
    {
        var model = session.Model?.FeatureModels.Get<TelemetryModel>() ?? _translator.Initial;
        var peers = session.IsInbound ? Destination(session, model) : Source(session, model);
        var report = new TcpConnectionReport(session, model, peers)
        {
            Edge = _edges.Get(EdgeKey.Create(peers.Reporter, peers.Source, peers.Destination, peers.Service.Service, RequestProtocol.Tcp, peers.Policy)),
        };
        report.Opened = Labels(report, IstioMetric.TcpOpenedConnections);
        return report;
    }

    private TcpPeers Destination(TcpProxySession session, TelemetryModel model)
    {
        var principal = session.Peer?.Identity.Uri;
        var source = session.PeerMetadata is { } metadata ? _peerHeaders.Resolve(metadata)
            : principal is not null ? _principalPeers.Resolve(principal)
            : WorkloadPeer.UnknownPeer;
        var mutualTls = session.Peer is not null;
        return new TcpPeers(
            Reporter.Destination,
            source,
            principal ?? WorkloadPeer.Unknown,
            model.Self,
            mutualTls ? model.SelfPrincipal : WorkloadPeer.Unknown,
            model.InboundService,
            mutualTls ? SecurityPolicy.MutualTls : SecurityPolicy.None);
    }

    private static TcpPeers Source(TcpProxySession session, TelemetryModel model)
    {
        var destination = WorkloadPeer.UnknownPeer;
        var destinationPrincipal = WorkloadPeer.Unknown;
        var service = ServiceLabels.Unknown;
        if (session.ClusterName is { } name && model.Clusters.TryGetValue(name, out var cluster))
        {
            service = cluster.Service;
            if (session.UpstreamEndpoint is { } endpoint
                && cluster.Endpoints.TryGetValue(ClusterConventions.FormatAuthority(endpoint.Address, endpoint.Port), out var telemetry))
            {
                destination = telemetry.Peer;
                destinationPrincipal = session.UpstreamMtls ? telemetry.Principal : WorkloadPeer.Unknown;
            }
        }
        else if (session.Service is { } host)
        {
            service = model.PassthroughService(host);
        }

        return new TcpPeers(
            Reporter.Source,
            model.Self,
            session.UpstreamMtls ? model.SelfPrincipal : WorkloadPeer.Unknown,
            destination,
            destinationPrincipal,
            service,
            SecurityPolicy.Unknown);
    }

    private static AccessLogEntry AccessLogOf(TcpProxySession session, TcpConnectionReport report, TimeSpan duration)
    {
        var local = session.Connection.LocalEndPoint as IPEndPoint;
        var remote = session.Connection.RemoteEndPoint as IPEndPoint;
        return new AccessLogEntry
        {
            StartTime = session.StartTime.UtcDateTime,
            Method = "-",
            Path = "-",
            Protocol = "-",
            ResponseCode = 0,
            GrpcStatus = -1,
            Flags = session.Flags,
            BytesReceived = session.BytesReceived,
            BytesSent = session.BytesSent,
            DurationMs = duration.TotalMilliseconds,
            UpstreamHost = session.UpstreamAddress,
            UpstreamCluster = session.ClusterName,
            RouteName = session.FilterChain,
            DownstreamLocalAddress = local?.Address,
            DownstreamLocalPort = local?.Port ?? 0,
            DownstreamRemoteAddress = remote?.Address,
            DownstreamRemotePort = remote?.Port ?? 0,
            RequestedServerName = session.RequestedServerName,
            Listener = session.Listener.Name,
            Reporter = report.Peers.Reporter,
            Source = report.Peers.Source,
            Destination = report.Peers.Destination,
            DestinationService = report.Peers.Service.Service,
            SecurityPolicy = report.Peers.Policy,
        };
    }

    /// <summary>One open connection's labels and what has been reported of its bytes.</summary>
    private sealed class TcpConnectionReport(TcpProxySession session, TelemetryModel model, TcpPeers peers)
    {
        public TcpProxySession Session { get; } = session;

        public TelemetryModel Model { get; } = model;

        public TcpPeers Peers { get; } = peers;

        public EdgeStats? Edge { get; init; }

        public KeyValuePair<string, object?>[]? Opened { get; set; }

        public long ReportedSent { get; set; }

        public long ReportedReceived { get; set; }
    }
}
