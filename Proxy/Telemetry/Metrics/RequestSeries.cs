using Mesh.Proxy.Telemetry.Expressions;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Stats;

namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>
/// The label sets of one combination of standard labels, built once and reused for every
/// request with the same combination: per HTTP metric the labels after the Telemetry resource's
/// overrides (null when that metric is disabled for this reporter), and the graph edge it feeds.
/// </summary>
internal sealed class RequestSeries
{
    private static readonly IstioMetric[] HttpMetrics = [IstioMetric.RequestCount, IstioMetric.RequestDuration, IstioMetric.RequestSize, IstioMetric.ResponseSize];

    private readonly KeyValuePair<string, object?>[]?[] _labels = new KeyValuePair<string, object?>[]?[HttpMetrics.Length];
    private readonly MetricView?[] _dynamic = new MetricView?[HttpMetrics.Length];
    private readonly KeyValuePair<string, object?>[] _standard;

    public RequestSeries(SeriesKey key, MetricOverridesModel overrides, EdgeStats? edge)
    {
        _standard = key.Labels();
        Edge = edge;
        for (var i = 0; i < HttpMetrics.Length; i++)
        {
            var view = overrides.For(HttpMetrics[i], key.Reporter);
            if (view is null)
            {
                _labels[i] = _standard;
            }
            else if (view.Disabled)
            {
                _labels[i] = null;
            }
            else if (view.IsStatic)
            {
                _labels[i] = view.Apply(_standard, attributes: null);
            }
            else
            {
                _dynamic[i] = view;
            }
        }
    }

    public EdgeStats? Edge { get; }

    /// <summary>
    /// The labels to record <paramref name="metric"/> with; empty when it is disabled. Expression
    /// tag overrides are evaluated per request (the only case that allocates).
    /// </summary>
    public ReadOnlySpan<KeyValuePair<string, object?>> LabelsFor(IstioMetric metric, ICelAttributes attributes, out bool enabled)
    {
        var i = (int)metric;
        if (_dynamic[i] is { } view)
        {
            enabled = true;
            return view.Apply(_standard, attributes);
        }

        var labels = _labels[i];
        enabled = labels is not null;
        return labels;
    }
}
