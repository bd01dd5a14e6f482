using Mesh.Config.Model;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Validation;

/// <summary>Istio's Telemetry rules; settings the Mesh proxies cannot apply are errors.</summary>
internal static class TelemetryValidator
{
    public static void Validate(TelemetryConfig spec, ValidationContext context)
    {
        PolicyTargets.Validate(spec.Selector, spec.TargetRef, spec.TargetRefs, context);
        for (var i = 0; i < spec.Tracing.Count; i++)
        {
            var tracing = spec.Tracing[i];
            var path = $"spec.tracing[{i}]";
            if (tracing.RandomSamplingPercentage is < 0 or > 100)
            {
                context.Error($"{path}.randomSamplingPercentage", "randomSamplingPercentage must be in range [0.0, 100.0]");
            }

            ValidateMode(tracing.Match?.Mode, $"{path}.match.mode", context);
            ValidateProviders(tracing.Providers, path, context);
            foreach (var (name, tag) in tracing.CustomTags)
            {
                var tagPath = FieldPath.Key($"{path}.customTags", name);
                var kinds = (tag.Literal is not null ? 1 : 0) + (tag.Environment is not null ? 1 : 0) + (tag.Header is not null ? 1 : 0) + (tag.Formatter is not null ? 1 : 0);
                if (kinds != 1)
                {
                    context.Error(tagPath, "exactly one of literal, environment, header or formatter must be set");
                }
                else if (tag.Literal is null)
                {
                    context.Error(tagPath, "only literal custom tags are supported");
                }
                else if (string.IsNullOrEmpty(tag.Literal.Value))
                {
                    context.Error($"{tagPath}.literal.value", "literal value must be set");
                }
            }

            if (tracing.UseRequestIdForTraceSampling is not null)
            {
                context.Error($"{path}.useRequestIdForTraceSampling", "useRequestIdForTraceSampling is not supported");
            }

            if (tracing.EnableIstioTags is not null)
            {
                context.Error($"{path}.enableIstioTags", "enableIstioTags is not supported");
            }
        }

        for (var i = 0; i < spec.Metrics.Count; i++)
        {
            var metrics = spec.Metrics[i];
            var path = $"spec.metrics[{i}]";
            ValidateProviders(metrics.Providers, path, context);
            if (metrics.ReportingInterval is not null)
            {
                context.Error($"{path}.reportingInterval", "reportingInterval is not supported (the OTLP exporter's interval applies)");
            }

            for (var o = 0; o < metrics.Overrides.Count; o++)
            {
                var metricOverride = metrics.Overrides[o];
                var overridePath = $"{path}.overrides[{o}]";
                if (metricOverride.Match is { Metric: not null, CustomMetric: not null })
                {
                    context.Error($"{overridePath}.match", "only one of metric or customMetric may be set");
                }

                foreach (var (tag, tagOverride) in metricOverride.TagOverrides)
                {
                    var tagPath = FieldPath.Key($"{overridePath}.tagOverrides", tag);
                    if (tagOverride.Operation is null or TagOperation.Upsert && string.IsNullOrEmpty(tagOverride.Value))
                    {
                        context.Error($"{tagPath}.value", "tagOverrides.value must be set set when operation is UPSERT");
                    }

                    if (tagOverride.Operation is TagOperation.Remove && !string.IsNullOrEmpty(tagOverride.Value))
                    {
                        context.Error($"{tagPath}.value", "tagOverrides.value must not be set when operation is REMOVE");
                    }
                }
            }
        }

        for (var i = 0; i < spec.AccessLogging.Count; i++)
        {
            var logging = spec.AccessLogging[i];
            var path = $"spec.accessLogging[{i}]";
            ValidateProviders(logging.Providers, path, context);
            ValidateMode(logging.Match?.Mode, $"{path}.match.mode", context);
            if (logging.Filter is { } filter && string.IsNullOrWhiteSpace(filter.Expression))
            {
                context.Error($"{path}.filter.expression", "filter expression must not be empty");
            }
        }
    }

    private static void ValidateProviders(Mesh.Config.Model.Common.ValueList<ProviderRef> providers, string path, ValidationContext context)
    {
        for (var p = 0; p < providers.Count; p++)
        {
            if (string.IsNullOrEmpty(providers[p].Name))
            {
                context.Error($"{path}.providers[{p}].name", "provider name must be set");
            }
        }
    }

    private static void ValidateMode(WorkloadMode? mode, string path, ValidationContext context)
    {
        // Mesh applies one telemetry configuration to both directions of a proxy.
        if (mode is WorkloadMode.Client or WorkloadMode.Server)
        {
            context.Error(path, $"mode {Loading.IstioEnum.Name(mode.Value)} is not supported (only CLIENT_AND_SERVER)");
        }
    }
}
