using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Istio's WorkloadEntry rules, for the kind and for a ServiceEntry's inline <c>endpoints</c>
/// (which also check the port names against the entry's ports and the address against its
/// resolution).
/// </summary>
internal static class WorkloadEntryValidator
{
    /// <summary>The WorkloadEntry kind: as Istio, an address may be an IP or a host name (its ServiceEntry's resolution decides).</summary>
    public static void Validate(WorkloadEntryConfig spec, ValidationContext context) =>
        ValidateEndpoint(spec, "spec", servicePortNames: null, allowHostNames: true, context);

    public static void ValidateEndpoint(WorkloadEntryConfig endpoint, string path, IReadOnlySet<string>? servicePortNames, bool allowHostNames, ValidationContext context)
    {
        var address = endpoint.Address ?? "";
        if (address.Length == 0)
        {
            // Istio: an entry with a network and no address stands for that network's gateway.
            if (string.IsNullOrEmpty(endpoint.Network))
            {
                context.Error($"{path}.address", "address is required");
            }
        }
        else if (address.StartsWith("unix://", StringComparison.Ordinal))
        {
            context.Error($"{path}.address", "unix domain socket endpoints are not supported");
        }
        else if (!IstioRules.IsIpAddress(address))
        {
            if (!allowHostNames)
            {
                context.Error($"{path}.address", $"endpoint address \"{address}\" is not a valid IP address");
            }
            else if (IstioRules.Fqdn(address) is not null)
            {
                context.Error($"{path}.address", $"endpoint address \"{address}\" is not a valid FQDN or an IP address");
            }
        }

        foreach (var (name, port) in endpoint.Ports)
        {
            if (servicePortNames is not null && !servicePortNames.Contains(name))
            {
                context.Error(FieldPath.Key($"{path}.ports", name), $"endpoint port {port} is not defined by the service entry");
            }
            else if (servicePortNames is null && !IstioRules.IsDns1123Label(name))
            {
                context.Error(FieldPath.Key($"{path}.ports", name), $"invalid port name: {name}");
            }

            if (IstioRules.Port(port) is { } error)
            {
                context.Error(FieldPath.Key($"{path}.ports", name), error);
            }
        }

        IstioRules.Labels(endpoint.Labels, $"{path}.labels", context);

        if (endpoint.ServiceAccount is { } account && !IstioRules.IsDns1123Label(account) && IstioRules.Fqdn(account) is not null)
        {
            context.Error($"{path}.serviceAccount", $"invalid service account \"{account}\"");
        }
    }
}
