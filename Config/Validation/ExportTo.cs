using Mesh.Config.Model.Common;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's <c>exportTo</c> rules: "." (own namespace), "*" (all), "~" (ServiceEntry: none), or namespaces.</summary>
internal static class ExportTo
{
    public static void Validate(ValueList<string> exportTo, string path, ValidationContext context, bool isServiceEntry = false)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < exportTo.Count; i++)
        {
            var entry = exportTo[i];
            var key = entry == "." ? context.Namespace : entry;
            if (!seen.Add(key))
            {
                context.Error($"{path}[{i}]", key != entry
                    ? $"duplicate entries in exportTo: . and current namespace {context.Namespace}"
                    : $"duplicate entries in exportTo for entry {entry}");
                continue;
            }

            var valid = entry is "." or "*" || (isServiceEntry && entry == "~") || IstioRules.IsDns1123Label(entry);
            if (!valid)
            {
                context.Error($"{path}[{i}]", $"only ., *, or a valid DNS 1123 label is allowed as exportTo entry; got \"{entry}\"");
            }
        }

        if (seen.Contains("*") && exportTo.Count > 1)
        {
            context.Error(path, "cannot have both public (*) and non-public exportTo values for a resource");
        }

        if (seen.Contains("~") && exportTo.Count > 1)
        {
            context.Error(path, "cannot export service entry to no one (~) and someone");
        }
    }
}
