using Mesh.Config.Model;
using Mesh.Config.Model.Telemetry;
using Mesh.Config.Validation.Rules;

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
                ValidateCustomTag(name, tag, FieldPath.Key($"{path}.customTags", name), context);
            }

            // Settings whose default the proxy implements; the other value needs proxy support.
            if (tracing.UseRequestIdForTraceSampling == true)
            {
                context.Error($"{path}.useRequestIdForTraceSampling", "useRequestIdForTraceSampling true is not supported: the proxy samples at random per request (false)");
            }

            if (tracing.EnableIstioTags == false)
            {
                context.Error($"{path}.enableIstioTags", "enableIstioTags false is not supported: the proxy always adds Istio's span tags");
            }

            if (tracing.DisableContextPropagation == true)
            {
                context.Error($"{path}.disableContextPropagation", "disableContextPropagation true is not supported: the proxy always propagates trace context");
            }
        }

        for (var i = 0; i < spec.Metrics.Count; i++)
        {
            var metrics = spec.Metrics[i];
            var path = $"spec.metrics[{i}]";
            ValidateProviders(metrics.Providers, path, context);

            for (var o = 0; o < metrics.Overrides.Count; o++)
            {
                var metricOverride = metrics.Overrides[o];
                var overridePath = $"{path}.overrides[{o}]";
                if (metricOverride.Match is { Metric: not null, CustomMetric: not null })
                {
                    context.Error($"{overridePath}.match", "only one of metric or customMetric may be set");
                }

                if (metricOverride.Match?.CustomMetric is "")
                {
                    context.Error($"{overridePath}.match.customMetric", "customMetric may not be empty");
                }

                foreach (var (tag, tagOverride) in metricOverride.TagOverrides)
                {
                    var tagPath = FieldPath.Key($"{overridePath}.tagOverrides", tag);
                    if (tag.Length == 0)
                    {
                        // Istio only warns; the proxy cannot add or remove a tag without a name.
                        context.Error(tagPath, "tagOverrides.name may not be empty");
                    }

                    if (tagOverride.Operation is null or TagOperation.Upsert && string.IsNullOrEmpty(tagOverride.Value))
                    {
                        context.Error($"{tagPath}.value", "tagOverrides.value must be set when operation is UPSERT");
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

    // Istio's rules for a tag's value; of the four kinds the proxy adds literals only.
    private static void ValidateCustomTag(string name, CustomTag tag, string path, ValidationContext context)
    {
        if (name.Length == 0)
        {
            context.Error(path, "tag name may not be empty");
        }

        var kinds = (tag.Literal is not null ? 1 : 0) + (tag.Environment is not null ? 1 : 0) + (tag.Header is not null ? 1 : 0) + (tag.Formatter is not null ? 1 : 0);
        if (kinds > 1)
        {
            context.Error(path, "only one of literal, environment, header or formatter may be set");
        }
        else if (tag.Literal is { } literal && string.IsNullOrEmpty(literal.Value))
        {
            context.Error($"{path}.literal.value", "literal tag value may not be empty");
        }
        else if (tag.Literal is null && kinds == 1)
        {
            var kind = tag.Environment is not null ? "environment" : tag.Header is not null ? "header" : "formatter";
            context.Error($"{path}.{kind}", $"{kind} custom tags are not supported: the proxy adds literal tags only (the value would come from the proxy's environment or request)");
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
