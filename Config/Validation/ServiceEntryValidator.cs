using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's ServiceEntry rules (hosts, ports, resolution and endpoints).</summary>
internal static class ServiceEntryValidator
{
    public static void Validate(ServiceEntryConfig spec, ValidationContext context)
    {
        if (spec.Hosts.Count == 0)
        {
            context.Error("spec.hosts", "service entry must have at least one host");
        }

        for (var i = 0; i < spec.Hosts.Count; i++)
        {
            var host = spec.Hosts[i];
            if (host == "*")
            {
                context.Error($"spec.hosts[{i}]", $"invalid host {host}");
            }
            else if (IstioRules.WildcardDomain(host) is { } error)
            {
                context.Error($"spec.hosts[{i}]", error);
            }
        }

        var cidr = false;
        for (var i = 0; i < spec.Addresses.Count; i++)
        {
            cidr |= spec.Addresses[i].Contains('/');
            if (IstioRules.IpOrCidr(spec.Addresses[i]) is { } error)
            {
                context.Error($"spec.addresses[{i}]", error);
            }
        }

        var resolution = spec.Resolution ?? ServiceEntryResolution.None;
        if (cidr && resolution is not (ServiceEntryResolution.None or ServiceEntryResolution.Static))
        {
            context.Error("spec.addresses", "CIDR addresses are allowed only for NONE/STATIC resolution types");
        }

        if (spec.WorkloadSelector is { } selector)
        {
            IstioRules.Selector(selector.Labels, "spec.workloadSelector.labels", context);
            if (spec.Endpoints.Count > 0 || Model.Common.Presence.IsWrittenEmpty(spec.Endpoints))
            {
                context.Error("spec", "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var numbers = new HashSet<uint>();
        for (var i = 0; i < spec.Ports.Count; i++)
        {
            var port = spec.Ports[i];
            var path = $"spec.ports[{i}]";
            if (string.IsNullOrEmpty(port.Name) || !IstioRules.IsDns1123Label(port.Name))
            {
                context.Error($"{path}.name", $"invalid port name: {port.Name}");
            }
            else if (!names.Add(port.Name))
            {
                context.Error($"{path}.name", $"service entry port name \"{port.Name}\" already defined");
            }

            if (IstioRules.Port(port.Number) is { } portError)
            {
                context.Error($"{path}.number", portError);
            }
            else if (!numbers.Add(port.Number!.Value))
            {
                context.Error($"{path}.number", $"service entry port {port.Number} already defined");
            }

            if (port.TargetPort is > 0 && IstioRules.Port(port.TargetPort) is { } targetError)
            {
                context.Error($"{path}.targetPort", targetError);
            }

            if (port.Protocol is { } protocol && !IstioRules.IsKnownProtocol(protocol))
            {
                context.Error($"{path}.protocol", $"unsupported protocol: {protocol}");
            }
            else if (port.Protocol is { Length: > 0 } named && !IstioRules.IsHttpFamily(named) && !IstioRules.IsL4(named))
            {
                context.Error($"{path}.protocol", $"protocol {named} is not supported: Mesh carries HTTP, HTTP2, GRPC, HTTPS, TCP (also MONGO, MYSQL, REDIS; the default) and TLS");
            }
        }

        switch (resolution)
        {
            case ServiceEntryResolution.None:
                if (spec.Endpoints.Count > 0)
                {
                    context.Error("spec.endpoints", "no endpoints should be provided for resolution type none");
                }

                break;
            case ServiceEntryResolution.Static:
                for (var i = 0; i < spec.Endpoints.Count; i++)
                {
                    WorkloadEntryValidator.ValidateEndpoint(spec.Endpoints[i], $"spec.endpoints[{i}]", names, allowHostNames: false, context);
                }

                break;
            case ServiceEntryResolution.Dns or ServiceEntryResolution.DnsRoundRobin:
                if (spec.Endpoints.Count == 0)
                {
                    for (var i = 0; i < spec.Hosts.Count; i++)
                    {
                        if (IstioRules.Fqdn(spec.Hosts[i]) is not null)
                        {
                            context.Error($"spec.hosts[{i}]", $"hosts must be FQDN if no endpoints are provided for resolution mode {Loading.IstioEnum.Name(resolution)}");
                        }
                    }
                }

                if (resolution == ServiceEntryResolution.DnsRoundRobin && spec.Endpoints.Count > 1)
                {
                    context.Error("spec.endpoints", "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN");
                }

                for (var i = 0; i < spec.Endpoints.Count; i++)
                {
                    WorkloadEntryValidator.ValidateEndpoint(spec.Endpoints[i], $"spec.endpoints[{i}]", names, allowHostNames: true, context);
                }

                break;
            default:
                context.Error("spec.resolution", $"resolution {Loading.IstioEnum.Name(resolution)} is not supported");
                break;
        }

        ExportTo.Validate(spec.ExportTo, "spec.exportTo", context, isServiceEntry: true);
    }
}
