using System.Text.RegularExpressions;
using Mesh.Config.Model.Core;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.Core;

/// <summary>
/// Kubernetes' Service rules that matter to the mesh: ports (1–65535, unique numbers, names
/// required and unique when there are several, IANA-style names), target ports (a number or a port
/// name), a valid selector. <c>ExternalName</c> Services are refused: the mesh has no DNS alias
/// services (use a ServiceEntry).
/// </summary>
internal static partial class KubernetesServiceValidator
{
    public static void Validate(KubernetesServiceConfig spec, ValidationContext context)
    {
        if (spec.Type is { } type && type is not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            context.Error("spec.type", $"Unsupported value: \"{type}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"");
        }
        else if (spec.Type == "ExternalName")
        {
            context.Error("spec.type", "ExternalName Services are not supported by the mesh (use a ServiceEntry with resolution DNS)");
        }

        if (spec.Ports.Count == 0 && spec.Type != "ExternalName")
        {
            context.Error("spec.ports", "Required value");
        }

        for (var i = 0; i < spec.Ports.Count; i++)
        {
            Port(spec.Ports[i], $"spec.ports[{i}]", spec.Ports.Count > 1, context);
        }

        foreach (var duplicate in spec.Ports.Where(p => p.Port is not null).GroupBy(p => (p.Port, p.Protocol ?? "TCP")).Where(g => g.Count() > 1))
        {
            context.Error("spec.ports", $"Duplicate value: port {duplicate.Key.Port}/{duplicate.Key.Item2}");
        }

        foreach (var duplicate in spec.Ports.Where(p => !string.IsNullOrEmpty(p.Name)).GroupBy(p => p.Name).Where(g => g.Count() > 1))
        {
            context.Error("spec.ports", $"Duplicate value: port name \"{duplicate.Key}\"");
        }

        IstioRules.Labels(spec.Selector, "spec.selector", context);
    }

    private static void Port(KubernetesServicePort port, string path, bool several, ValidationContext context)
    {
        if (port.Port is null)
        {
            context.Error($"{path}.port", "Required value");
        }
        else if (port.Port is < 1 or > 65535)
        {
            context.Error($"{path}.port", $"Invalid value: {port.Port}: must be between 1 and 65535, inclusive");
        }

        if (string.IsNullOrEmpty(port.Name))
        {
            if (several)
            {
                context.Error($"{path}.name", "Required value: ports must be named when a Service has more than one");
            }
        }
        else if (!IstioRules.IsDns1123Label(port.Name) || port.Name != port.Name.ToLowerInvariant())
        {
            context.Error($"{path}.name", $"Invalid value: \"{port.Name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
        }

        if (port.Protocol is { } protocol && protocol is not ("TCP" or "UDP" or "SCTP"))
        {
            context.Error($"{path}.protocol", $"Unsupported value: \"{protocol}\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
        }

        if (port.TargetPort is { } target)
        {
            if (int.TryParse(target, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                if (number is < 1 or > 65535)
                {
                    context.Error($"{path}.targetPort", $"Invalid value: {target}: must be between 1 and 65535, inclusive");
                }
            }
            else if (target.Length > 15 || !PortName().IsMatch(target) || !target.Any(char.IsAsciiLetter))
            {
                context.Error($"{path}.targetPort", $"Invalid value: \"{target}\": must be a port number or an IANA service name (at most 15 lower-case letters, digits and '-', with a letter)");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex PortName();
}
