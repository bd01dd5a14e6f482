using System.Collections.Concurrent;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Stats;

namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>
/// Label sets by <see cref="SeriesKey"/>, per snapshot (a new snapshot may change overrides and
/// peers). Lock-free lookups; bounded, so a flood of distinct combinations cannot exhaust memory
/// (past the bound, series are built per request and not kept).
/// </summary>
internal sealed class SeriesCache(MetricOverridesModel overrides, EdgeStatsRegistry edges)
{
    public const int MaxSeries = 4096;

    private readonly ConcurrentDictionary<SeriesKey, RequestSeries> _series = new();

    public int Count => _series.Count;

    public RequestSeries Get(in SeriesKey key)
    {
        if (_series.TryGetValue(key, out var series))
        {
            return series;
        }

        series = Create(key);
        return _series.Count >= MaxSeries ? series : _series.GetOrAdd(key, series);
    }

    private RequestSeries Create(in SeriesKey key)
    {
        var edgeKey = EdgeKey.Create(key.Reporter, key.Source, key.Destination, key.Service.Service, key.Protocol, key.Policy);
        return new RequestSeries(key, overrides, edges.Get(edgeKey));
    }
}
