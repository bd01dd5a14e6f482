using Mesh.Config.Model;
using Mesh.Config.Model.Security;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's PeerAuthentication rules.</summary>
internal static class PeerAuthenticationValidator
{
    public static void Validate(PeerAuthenticationConfig spec, ValidationContext context)
    {
        var emptySelector = spec.Selector is null || spec.Selector.MatchLabels.Count == 0;
        if (emptySelector && spec.PortLevelMtls.Count > 0)
        {
            context.Error("spec.portLevelMtls", "mesh/namespace peer authentication cannot have port level mTLS");
        }

        if (Model.Common.Presence.IsWrittenEmpty(spec.PortLevelMtls))
        {
            context.Error("spec.portLevelMtls", "port level mTLS, if defined, must have at least one element");
        }

        foreach (var (port, _) in spec.PortLevelMtls)
        {
            if (!uint.TryParse(port, out var number) || number is 0 or > 65535)
            {
                context.Error(FieldPath.Key("spec.portLevelMtls", port), "port must be in range 1..65535");
            }
        }

        if (spec.Selector is { } selector)
        {
            IstioRules.Selector(selector.MatchLabels, "spec.selector.matchLabels", context);
        }
    }
}
