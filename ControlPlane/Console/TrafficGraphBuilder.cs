using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// Builds the service graph from the proxies' readings (pure). Nodes are workloads by version;
/// an edge is traffic from one workload to another. Both sidecars of a hop report it: the
/// destination's report wins (it saw the request arrive and knows whether it came over mTLS),
/// the source's report stands in where no destination proxy reports (the callee is not meshed).
/// </summary>
internal static class TrafficGraphBuilder
{
    public const string UnknownNode = "unknown";

    public static ConsoleGraph Build(IReadOnlyList<ReadingPair> readings, IEnumerable<ProxyStatusModel> proxies)
    {
        var nodes = new Dictionary<string, ConsoleNode>(StringComparer.Ordinal);
        foreach (var proxy in proxies)
        {
            var node = proxy.Node;
            node.Labels.TryGetValue("app", out var app);
            node.Labels.TryGetValue("version", out var version);
            AddNode(nodes, node.Workload, node.Namespace, app ?? node.Workload, version ?? "", node.Mode == ProxyMode.Gateway ? "gateway" : "sidecar");
        }

        var groups = new Dictionary<(string Source, string Destination, string Reporter), EdgeGroup>();
        foreach (var pair in readings)
        {
            var bounds = pair.Latest.LatencyBoundsMs;
            var baseline = pair.Baseline.Edges.ToDictionary(e => e.Key, StringComparer.Ordinal);
            AddNode(nodes, pair.Latest.Node.Workload, pair.Latest.Node.Namespace, pair.Latest.Node.App, pair.Latest.Node.Version, pair.Latest.Node.Mode);
            foreach (var edge in pair.Latest.Edges)
            {
                var source = AddNode(nodes, edge.Source.Workload, edge.Source.Namespace, edge.Source.App, edge.Source.Version, null);
                var destination = AddNode(nodes, edge.Destination.Workload, edge.Destination.Namespace, edge.Destination.App, edge.Destination.Version, null);
                var key = (source.Id, destination.Id, edge.Reporter);
                if (!groups.TryGetValue(key, out var group))
                {
                    group = new EdgeGroup(bounds);
                    groups[key] = group;
                }

                baseline.TryGetValue(edge.Key, out var before);
                if (before is not null && (before.Requests > edge.Requests || before.Errors > edge.Errors))
                {
                    before = null; // counters went back: the reading is not comparable, count from zero
                }

                group.Add(edge, before, pair.Seconds);
            }
        }

        var edges = new List<ConsoleEdge>();
        foreach (var ((source, destination, reporter), group) in groups)
        {
            if (reporter != "destination" && groups.ContainsKey((source, destination, "destination")))
            {
                continue;
            }

            edges.Add(group.ToEdge(source, destination, reporter));
        }

        foreach (var edge in edges)
        {
            var node = nodes[edge.Destination];
            nodes[edge.Destination] = node with { RequestsPerSecond = node.RequestsPerSecond + edge.RequestsPerSecond };
        }

        return new ConsoleGraph(
            [.. nodes.Values.OrderBy(n => n.App, StringComparer.Ordinal).ThenBy(n => n.Version, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal)],
            [.. edges.OrderBy(e => e.Source, StringComparer.Ordinal).ThenBy(e => e.Destination, StringComparer.Ordinal)]);
    }

    private static ConsoleNode AddNode(Dictionary<string, ConsoleNode> nodes, string workload, string @namespace, string app, string version, string? kind)
    {
        var known = !string.IsNullOrEmpty(workload) && workload != UnknownNode;
        var id = known ? $"{workload}.{@namespace}" : UnknownNode;
        if (nodes.TryGetValue(id, out var existing))
        {
            return existing;
        }

        var node = new ConsoleNode
        {
            Id = id,
            Workload = known ? workload : UnknownNode,
            Namespace = known ? @namespace : "",
            App = known ? (string.IsNullOrEmpty(app) || app == UnknownNode ? workload : app) : UnknownNode,
            Version = version == UnknownNode ? "" : version,
            Kind = kind ?? (known ? "workload" : "unknown"),
        };
        nodes[id] = node;
        return node;
    }

    private sealed class EdgeGroup(double[] bounds)
    {
        private readonly TrafficDelta _delta = new(bounds.Length + 1);
        private readonly HashSet<string> _security = new(StringComparer.Ordinal);
        private readonly HashSet<string> _protocols = new(StringComparer.Ordinal);
        private readonly HashSet<string> _services = new(StringComparer.Ordinal);

        public void Add(StatsEdge edge, StatsEdge? baseline, double seconds)
        {
            _delta.Add(edge, baseline, seconds);
            _security.Add(edge.SecurityPolicy);
            _protocols.Add(edge.Protocol);
            if (edge.DestinationService.Length > 0)
            {
                _services.Add(edge.DestinationService);
            }
        }

        public ConsoleEdge ToEdge(string source, string destination, string reporter) => new()
        {
            Source = source,
            Destination = destination,
            Reporter = reporter,
            Services = [.. _services.Order(StringComparer.Ordinal)],
            Protocol = string.Join(",", _protocols.Order(StringComparer.Ordinal)),
            Security = reporter != "destination" ? "unknown"
                : _security.Count == 1 ? _security.First()
                : "mixed",
            RequestsPerSecond = Math.Round(_delta.RequestsPerSecond, 3),
            SuccessRate = _delta.Requests > 0 ? Math.Round(1 - ((double)_delta.Errors / _delta.Requests), 4) : null,
            P50Ms = Round(LatencyPercentiles.Of(bounds, _delta.LatencyCounts, 0.50)),
            P99Ms = Round(LatencyPercentiles.Of(bounds, _delta.LatencyCounts, 0.99)),
            WindowRequests = _delta.Requests,
            WindowSeconds = Math.Round(_delta.Seconds, 1),
            TotalRequests = _delta.TotalRequests,
        };

        private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;
    }
}
