using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Mesh.ControlPlane.Tests.Telemetry;

/// <summary>Collects every measurement of one meter instance (other control planes in the same test run are not mixed in).</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricsRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<(double Value, Dictionary<string, string?> Tags)> Of(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags))];

    public double Sum(string instrument, string? tag = null, string? value = null) =>
        Of(instrument).Where(m => tag is null || m.Tags.GetValueOrDefault(tag) == value).Sum(m => m.Value);

    /// <summary>Reads the observable instruments (gauges) once; returns what they reported.</summary>
    public IReadOnlyList<(double Value, Dictionary<string, string?> Tags)> Observe(string instrument)
    {
        var before = Of(instrument).Count;
        _listener.RecordObservableInstruments();
        return [.. Of(instrument).Skip(before)];
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
