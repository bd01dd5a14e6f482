using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's Sidecar rules; Mesh honours egress scoping (with ~ exclusions) and the outbound traffic policy.</summary>
internal static class SidecarValidator
{
    public static void Validate(SidecarConfig spec, ValidationContext context)
    {
        if (spec.WorkloadSelector is { } selector)
        {
            IstioRules.Selector(selector.Labels, "spec.workloadSelector.labels", context);
        }

        if (spec.Egress.Count == 0 && spec.Ingress.Count == 0 && spec.OutboundTrafficPolicy is null && spec.InboundConnectionPool is null)
        {
            context.Error("spec", "sidecar: empty configuration provided");
        }

        var ports = new HashSet<uint>();
        for (var i = 0; i < spec.Egress.Count; i++)
        {
            var egress = spec.Egress[i];
            var path = $"spec.egress[{i}]";
            if (egress.Port is null && i != spec.Egress.Count - 1)
            {
                context.Error(path, "sidecar: the egress listener with empty port should be the last listener in the list");
            }

            if (egress.Port is { } port)
            {
                if (IstioRules.Port(port.Number) is { } portError)
                {
                    context.Error($"{path}.port.number", portError);
                }
                else if (!ports.Add(port.Number!.Value))
                {
                    context.Error($"{path}.port.number", "sidecar: ports on IP bound listeners must be unique");
                }

                if (port.Name is { Length: > 0 } name && !IstioRules.IsDns1123Label(name))
                {
                    context.Error($"{path}.port.name", $"invalid port name: {name}");
                }

                if (port.Protocol is { Length: > 0 } protocol && !IstioRules.IsKnownProtocol(protocol))
                {
                    context.Error($"{path}.port.protocol", $"unsupported protocol: {protocol}");
                }
            }

            if (egress.CaptureMode is not null and not CaptureMode.Default)
            {
                context.Error($"{path}.captureMode", $"captureMode {Loading.IstioEnum.Name(egress.CaptureMode.Value)} is not supported: Mesh does not capture traffic with iptables (DEFAULT only)");
            }

            if (egress.Hosts.Count == 0)
            {
                context.Error($"{path}.hosts", "sidecar: egress listener must contain at least one host");
            }

            for (var h = 0; h < egress.Hosts.Count; h++)
            {
                GatewayValidator.ValidateNamespaceSlashHost(egress.Hosts[h], $"{path}.hosts[{h}]", context, isGateway: false);
            }
        }
    }
}
