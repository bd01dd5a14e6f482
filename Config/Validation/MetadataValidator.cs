using System.Text.RegularExpressions;
using Mesh.Config.Model;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Kubernetes object metadata rules: names and namespaces are DNS-1123 names.</summary>
internal static partial class MetadataValidator
{
    public static void Validate(ConfigObject configObject, ValidationContext context)
    {
        var name = configObject.Metadata.Name;
        if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            context.Error("metadata.name", $"invalid name \"{name}\": must be a lower-case RFC 1123 subdomain (letters, digits, '-' and '.', starting and ending with a letter or digit)");
        }

        var ns = configObject.Metadata.Namespace;
        var clusterScoped = ConfigKinds.FindExact(configObject.Kind)?.ClusterScoped == true;
        if (!(clusterScoped && ns.Length == 0) && (ns.Length > 63 || !Dns1123Label().IsMatch(ns)))
        {
            context.Error("metadata.namespace", $"invalid namespace \"{ns}\": must be a lower-case RFC 1123 label");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
