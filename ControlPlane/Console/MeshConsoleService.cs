using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Discovery;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Console;

/// <summary>Assembles the console's overview: the live graph, the proxies' sync status and the config objects.</summary>
internal sealed class MeshConsoleService(ConnectedProxies proxies, ProxyStatsPoller poller, ConfigStore store, IOptions<ConsoleOptions> options, TimeProvider time)
{
    public async Task<MeshConsoleOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        await poller.WatchAsync(cancellationToken);
        var window = options.Value.RateWindow;
        var statuses = proxies.All.Select(c => c.GetStatus()).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        var readings = new List<ReadingPair>();
        var rows = new List<ProxySyncRow>();
        foreach (var status in statuses)
        {
            var history = poller.HistoryOf(status.Id);
            (double RequestsPerSecond, double? SuccessRate, long TotalRequests)? inbound = null;
            if (history?.Window(window) is { } pair)
            {
                readings.Add(pair);
                inbound = ProxyInboundTraffic.Of(pair);
            }

            rows.Add(new ProxySyncRow
            {
                Id = status.Id,
                Workload = status.Node.Workload,
                Namespace = status.Node.Namespace,
                Kind = status.Kind,
                Status = status.Status.ToString().ToUpperInvariant(),
                SentVersion = status.SentVersion,
                AckedVersion = status.AckedVersion,
                SentAt = status.SentAt,
                NackError = status.Status == ProxySyncStatus.Nacked ? status.NackError : null,
                BuildError = status.BuildError,
                StatsError = history?.Error,
                StatsAt = history?.LastReadAt,
                InboundRequestsPerSecond = inbound?.RequestsPerSecond,
                InboundSuccessRate = inbound?.SuccessRate,
                InboundRequests = inbound?.TotalRequests ?? 0,
            });
        }

        return new MeshConsoleOverview
        {
            GeneratedAt = time.GetUtcNow(),
            RateWindowSeconds = window.TotalSeconds,
            Graph = TrafficGraphBuilder.Build(readings, statuses),
            Proxies = rows,
            Config = ConfigValidationView.Build(store.Current, store.GetStatus()),
        };
    }
}
