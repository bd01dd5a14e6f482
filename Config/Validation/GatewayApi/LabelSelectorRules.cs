using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>Kubernetes' LabelSelector rules: operators In, NotIn (with values), Exists, DoesNotExist (without).</summary>
internal static class LabelSelectorRules
{
    public static void Validate(LabelSelector selector, string path, ValidationContext context)
    {
        IstioRules.Labels(selector.MatchLabels, $"{path}.matchLabels", context);
        for (var i = 0; i < selector.MatchExpressions.Count; i++)
        {
            var expression = selector.MatchExpressions[i];
            var at = $"{path}.matchExpressions[{i}]";
            GatewayApiRules.Required(expression.Key, $"{at}.key", context);
            switch (expression.Operator)
            {
                case null or "":
                    context.Error($"{at}.operator", "Required value");
                    break;
                case "In" or "NotIn" when expression.Values.Count == 0:
                    context.Error($"{at}.values", "Required value: must be specified when `operator` is 'In' or 'NotIn'");
                    break;
                case "Exists" or "DoesNotExist" when expression.Values.Count > 0:
                    context.Error($"{at}.values", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    context.Error($"{at}.operator", $"Unsupported value: \"{expression.Operator}\": supported values: \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\"");
                    break;
            }
        }
    }
}
