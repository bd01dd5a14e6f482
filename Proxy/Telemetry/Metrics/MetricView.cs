using Mesh.Proxy.Telemetry.Expressions;

namespace Mesh.Proxy.Telemetry.Metrics;

/// <summary>
/// What a Telemetry resource's metric overrides make of one metric for one reporter: disabled,
/// labels removed, labels added or replaced by expressions (Istio's tagOverrides).
/// </summary>
internal sealed class MetricView
{
    public MetricView(bool disabled, IReadOnlyList<string> removed, IReadOnlyList<KeyValuePair<string, CelProgram>> upserts)
    {
        Disabled = disabled;
        Removed = [.. removed];
        Upserts = [.. upserts];
        IsStatic = Upserts.All(u => u.Value.IsConstant);
    }

    public bool Disabled { get; }

    public string[] Removed { get; }

    public KeyValuePair<string, CelProgram>[] Upserts { get; }

    /// <summary>The labels do not depend on the request beyond the standard labels: derive once per series.</summary>
    public bool IsStatic { get; }

    /// <summary>The standard labels with this view's removals and upserts applied.</summary>
    public KeyValuePair<string, object?>[] Apply(KeyValuePair<string, object?>[] labels, ICelAttributes? attributes)
    {
        var result = new List<KeyValuePair<string, object?>>(labels.Length + Upserts.Length);
        foreach (var label in labels)
        {
            if (Array.IndexOf(Removed, label.Key) < 0 && !IsUpserted(label.Key))
            {
                result.Add(label);
            }
        }

        foreach (var (tag, program) in Upserts)
        {
            var value = attributes is null && !program.IsConstant ? null : program.Evaluate(attributes!).ToText();
            result.Add(new KeyValuePair<string, object?>(tag, value ?? Peers.WorkloadPeer.Unknown));
        }

        return [.. result];
    }

    private bool IsUpserted(string key)
    {
        foreach (var upsert in Upserts)
        {
            if (upsert.Key == key)
            {
                return true;
            }
        }

        return false;
    }
}
