using System.Text.RegularExpressions;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>The GatewayClass CRD's rules.</summary>
internal static partial class GatewayClassValidator
{
    public static void Validate(GatewayClassConfig spec, ValidationContext context)
    {
        if (string.IsNullOrEmpty(spec.ControllerName))
        {
            context.Error("spec.controllerName", "Required value");
        }
        else if (spec.ControllerName.Length > 253 || !ControllerName().IsMatch(spec.ControllerName))
        {
            context.Error("spec.controllerName", $"Invalid value: \"{spec.ControllerName}\": should be a domain-prefixed path such as istio.io/gateway-controller");
        }

        if (spec.Description is { Length: > 64 })
        {
            context.Error("spec.description", "may not be longer than 64 characters");
        }

        if (spec.ParametersRef is { } parameters)
        {
            GatewayApiRules.Required(parameters.Kind, "spec.parametersRef.kind", context);
            GatewayApiRules.Required(parameters.Name, "spec.parametersRef.name", context);
            GatewayApiRules.Namespace(parameters.Namespace, "spec.parametersRef.namespace", context);
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$")]
    private static partial Regex ControllerName();
}
