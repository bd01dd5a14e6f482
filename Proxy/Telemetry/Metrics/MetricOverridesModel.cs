using Mesh.Proxy.Telemetry.Labels;

namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>The compiled metric overrides of a snapshot: a <see cref="MetricView"/> per (metric, reporter), null where nothing is overridden.</summary>
internal sealed class MetricOverridesModel
{
    private readonly MetricView?[] _views;

    public MetricOverridesModel(MetricView?[] views)
    {
        if (views.Length != IstioMetrics.Count * 2)
        {
            throw new ArgumentException($"expected {IstioMetrics.Count * 2} views", nameof(views));
        }

        _views = views;
    }

    public static MetricOverridesModel None { get; } = new(new MetricView?[IstioMetrics.Count * 2]);

    public bool IsEmpty => _views.All(v => v is null);

    public MetricView? For(IstioMetric metric, Reporter reporter) => _views[Index(metric, reporter)];

    public static int Index(IstioMetric metric, Reporter reporter) => ((int)metric * 2) + (int)reporter;
}
