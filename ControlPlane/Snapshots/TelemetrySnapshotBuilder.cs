using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Telemetry;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Telemetry settings for a proxy from Telemetry resources layered as Istio does: the root
/// namespace's, then the workload namespace's, then one selecting the workload; a more
/// specific resource overrides tracing / access logging it sets, and metric overrides add up.
/// </summary>
internal static class TelemetrySnapshotBuilder
{
    public static Wire.TelemetrySettings Build(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings) =>
        Build(Layers(model, node, nodeNamespace, settings));

    /// <summary>
    /// The Telemetry resources that apply to the node, least specific first (null where none): all
    /// the settings depend on (<see cref="NodePolicyPieces"/> shares a build by them).
    /// </summary>
    public static ConfigResource<TelemetryConfig>?[] Layers(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings) =>
    [
        model.Telemetries.FirstOrDefault(t => t.Namespace == settings.RootNamespace && IsNamespaceWide(t.Spec.Selector)),
        nodeNamespace == settings.RootNamespace ? null : model.Telemetries.FirstOrDefault(t => t.Namespace == nodeNamespace && IsNamespaceWide(t.Spec.Selector)),
        model.Telemetries.FirstOrDefault(t => t.Namespace == nodeNamespace && !IsNamespaceWide(t.Spec.Selector) && t.Spec.Selector!.Matches(node.Labels)),
    ];

    /// <summary>The settings of <paramref name="layers"/> (<see cref="Layers"/>), each overriding or adding to the ones before.</summary>
    public static Wire.TelemetrySettings Build(IEnumerable<ConfigResource<TelemetryConfig>?> layers)
    {
        var result = new Wire.TelemetrySettings();
        foreach (var layer in layers.OfType<ConfigResource<TelemetryConfig>>())
        {
            Apply(layer.Spec, result);
        }

        return result;
    }

    private static bool IsNamespaceWide(WorkloadSelector? selector) => selector is null || selector.MatchLabels.Count == 0;

    private static void Apply(TelemetryConfig spec, Wire.TelemetrySettings result)
    {
        if (spec.Tracing.FirstOrDefault() is { } tracing)
        {
            if (tracing.DisableSpanReporting == true)
            {
                result.SamplingPercentage = 0;
                result.HasSampling = true;
            }
            else if (tracing.RandomSamplingPercentage is { } sampling)
            {
                result.SamplingPercentage = sampling;
                result.HasSampling = true;
            }

            if (tracing.CustomTags.Count > 0)
            {
                result.CustomTags.Clear();
                // A tag written without a value ({}) adds nothing, as in Istio.
                result.CustomTags.AddRange(tracing.CustomTags.Where(t => t.Value.Literal is not null)
                    .OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value.Literal!.Value}"));
            }
        }

        if (spec.AccessLogging.FirstOrDefault() is { } logging)
        {
            result.AccessLogEnabled = logging.Disabled != true;
            result.AccessLogFilter = logging.Filter?.Expression ?? "";
        }

        foreach (var metrics in spec.Metrics)
        {
            foreach (var metricOverride in metrics.Overrides)
            {
                var translated = new Wire.MetricOverride
                {
                    Metric = metricOverride.Match?.CustomMetric
                        ?? (metricOverride.Match?.Metric is { } metric ? Config.Loading.IstioEnum.Name(metric) : "ALL_METRICS"),
                    Mode = metricOverride.Match?.Mode is { } mode ? Config.Loading.IstioEnum.Name(mode) : "CLIENT_AND_SERVER",
                    Disabled = metricOverride.Disabled ?? false,
                };
                foreach (var (tag, tagOverride) in metricOverride.TagOverrides.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    if (tagOverride.Operation == TagOperation.Remove)
                    {
                        translated.TagOverridesRemove.Add(tag);
                    }
                    else
                    {
                        translated.TagOverridesUpsert[tag] = tagOverride.Value ?? "";
                    }
                }

                result.MetricOverrides.Add(translated);
            }
        }
    }
}
