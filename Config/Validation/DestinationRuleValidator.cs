using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's DestinationRule rules, plus errors for traffic policy fields Mesh cannot honour.</summary>
internal static class DestinationRuleValidator
{
    public static void Validate(DestinationRuleConfig spec, ValidationContext context)
    {
        if (string.IsNullOrEmpty(spec.Host))
        {
            context.Error("spec.host", "host is required");
        }
        else if (IstioRules.WildcardDomain(spec.Host) is { } hostError)
        {
            context.Error("spec.host", hostError);
        }

        TrafficPolicyValidator.Validate(spec.TrafficPolicy, "spec.trafficPolicy", context);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Subsets.Count; i++)
        {
            var subset = spec.Subsets[i];
            var path = $"spec.subsets[{i}]";
            if (string.IsNullOrEmpty(subset.Name))
            {
                context.Error($"{path}.name", "subset name cannot be empty");
            }
            else
            {
                if (!IstioRules.IsDns1123Label(subset.Name))
                {
                    context.Error($"{path}.name", $"subset name is invalid: {subset.Name}");
                }

                if (!names.Add(subset.Name))
                {
                    context.Error($"{path}.name", $"duplicate subset names: {subset.Name}");
                }
            }

            IstioRules.Labels(subset.Labels, $"{path}.labels", context);
            TrafficPolicyValidator.Validate(subset.TrafficPolicy, $"{path}.trafficPolicy", context);
        }

        ExportTo.Validate(spec.ExportTo, "spec.exportTo", context);
        if (spec.WorkloadSelector is { } selector)
        {
            IstioRules.Selector(selector.MatchLabels, "spec.workloadSelector.matchLabels", context);
            if (spec.ExportTo.Any(e => e != "." && e != context.Namespace))
            {
                context.Error("spec.exportTo", "destination rule with workload selector cannot have exportTo beyond current namespace");
            }
        }
    }
}
