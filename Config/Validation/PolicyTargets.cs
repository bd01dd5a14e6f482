using Mesh.Config.Model.Common;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Shared selector / targetRef rules of the security and telemetry policies.</summary>
internal static class PolicyTargets
{
    public static void Validate(WorkloadSelector? selector, PolicyTargetReference? targetRef, ValueList<PolicyTargetReference> targetRefs, ValidationContext context)
    {
        if (selector is not null)
        {
            IstioRules.Selector(selector.MatchLabels, "spec.selector.matchLabels", context);
        }

        if ((selector is not null ? 1 : 0) + (targetRef is not null ? 1 : 0) + (targetRefs.Count > 0 ? 1 : 0) > 1)
        {
            context.Error("spec", "only one of targetRefs or workloadSelector can be set");
        }
    }
}
