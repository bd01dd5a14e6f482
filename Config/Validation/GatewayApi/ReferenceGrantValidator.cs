using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The ReferenceGrant CRD's rules: 1–16 <c>from</c> (group, kind, namespace) and <c>to</c> (group, kind).</summary>
internal static class ReferenceGrantValidator
{
    public static void Validate(ReferenceGrantConfig spec, ValidationContext context)
    {
        if (spec.From.Count == 0)
        {
            context.Error("spec.from", "Required value: at least one 'from' entry");
        }

        if (spec.To.Count == 0)
        {
            context.Error("spec.to", "Required value: at least one 'to' entry");
        }

        GatewayApiRules.MaxItems(spec.From, 16, "spec.from", context);
        GatewayApiRules.MaxItems(spec.To, 16, "spec.to", context);
        for (var i = 0; i < spec.From.Count; i++)
        {
            var from = spec.From[i];
            if (from.Group is null)
            {
                context.Error($"spec.from[{i}].group", "Required value");
            }

            GatewayApiRules.Group(from.Group, $"spec.from[{i}].group", context);
            GatewayApiRules.Required(from.Kind, $"spec.from[{i}].kind", context);
            GatewayApiRules.Kind(from.Kind, $"spec.from[{i}].kind", context);
            GatewayApiRules.Required(from.Namespace, $"spec.from[{i}].namespace", context);
            GatewayApiRules.Namespace(from.Namespace, $"spec.from[{i}].namespace", context);
        }

        for (var i = 0; i < spec.To.Count; i++)
        {
            var to = spec.To[i];
            if (to.Group is null)
            {
                context.Error($"spec.to[{i}].group", "Required value");
            }

            GatewayApiRules.Group(to.Group, $"spec.to[{i}].group", context);
            GatewayApiRules.Required(to.Kind, $"spec.to[{i}].kind", context);
            GatewayApiRules.Kind(to.Kind, $"spec.to[{i}].kind", context);
            if (to.Name is not null)
            {
                GatewayApiRules.ObjectName(to.Name, $"spec.to[{i}].name", context);
            }
        }
    }
}
