using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Tracing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mesh.Telemetry.Tests.Infrastructure;

/// <summary>
/// The in-memory exporters every test reads: one tracer provider (the proxies' span source, with
/// the same parent-based sampler the proxies use with OTLP) and one meter provider (the proxies'
/// meter) for the whole test process. Tests tell their telemetry apart by trace id and by
/// namespace (every test runs its mesh in a namespace of its own).
/// </summary>
public static class TelemetryCapture
{
    private static readonly ConcurrentQueue<Activity> Spans = new();
    private static readonly List<MetricSnapshot> Metrics = [];
    private static readonly TracerProvider Tracer;
    private static readonly MeterProvider Meter;

    static TelemetryCapture()
    {
        Tracer = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddSource(ProxyTracing.SourceName)
            .AddProcessor(new SimpleActivityExportProcessor(new QueueExporter()))
            .Build();
        Meter = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ProxyInstruments.MeterName)
            .AddInMemoryExporter(Metrics)
            .Build();
    }

    /// <summary>Makes sure the providers exist before the first proxy starts.</summary>
    public static void Start() => GC.KeepAlive(Tracer);

    public static IReadOnlyList<Activity> SpansOf(ActivityTraceId traceId) => [.. Spans.Where(s => s.TraceId == traceId)];

    public static IReadOnlyList<Activity> AllSpans => [.. Spans];

    /// <summary>Current values of a metric's points whose labels include the given namespace (as source or destination).</summary>
    public static IReadOnlyList<MetricPointSnapshot> Points(string metric, string @namespace)
    {
        lock (Metrics)
        {
            Metrics.Clear();
            Meter.ForceFlush();
            return [.. Metrics.Where(m => m.Name == metric)
                .SelectMany(m => m.MetricPoints.Select(p => new MetricPointSnapshot(m.MetricType, p)))
                .Where(p => p.Label("source_workload_namespace") == @namespace || p.Label("destination_workload_namespace") == @namespace
                    || (p.Label("destination_service") ?? "").Contains($".{@namespace}.", StringComparison.Ordinal))];
        }
    }

    private sealed class QueueExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                Spans.Enqueue(activity);
            }

            return ExportResult.Success;
        }
    }
}

/// <summary>One metric point copied out of the exporter: its labels and value (sum or count).</summary>
public sealed class MetricPointSnapshot
{
    public MetricPointSnapshot(MetricType type, MetricPoint point)
    {
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            labels[tag.Key] = tag.Value?.ToString();
        }

        Labels = labels;
        if (type.IsHistogram())
        {
            Count = point.GetHistogramCount();
            Sum = point.GetHistogramSum();
        }
        else if (type is MetricType.LongSum or MetricType.LongSumNonMonotonic)
        {
            Count = point.GetSumLong();
            Sum = Count;
        }
        else
        {
            Sum = point.GetSumDouble();
            Count = (long)Sum;
        }
    }

    public IReadOnlyDictionary<string, string?> Labels { get; }

    /// <summary>Counter value, or number of histogram recordings.</summary>
    public long Count { get; }

    public double Sum { get; }

    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Count} {{{string.Join(", ", Labels.Select(l => $"{l.Key}={l.Value}"))}}}";
}
