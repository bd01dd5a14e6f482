using System.Text.Json.Nodes;
using Mesh.ControlPlane.Snapshots;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// The networks part of <c>meshctl describe</c> (docs/vm.md §5): for each endpoint of the described
/// services on a named network, how the proxies of every other network reach it — through an
/// east-west gateway, or not at all, with the reason <see cref="NetworkEndpointFilter"/> drops it for
/// (the same words <c>meshctl explain</c> shows), each unreachable one also a warning. Without it a
/// VM whose endpoints "vanished" from the callers' view has no visible cause.
/// </summary>
internal static class DescribeNetworks
{
    /// <summary>
    /// The rows (<c>network_endpoints</c>) and the warnings; the networks looked from are the control
    /// plane's and those of the registered proxies, east-west gateways aside.
    /// </summary>
    public static (JsonArray Rows, List<string> Warnings) Of(SnapshotInputs inputs, IEnumerable<string> hosts)
    {
        var rows = new JsonArray();
        var warnings = new List<string>();
        var gateways = inputs.Gateways;
        if (gateways.EndpointNetworks.IsEmpty)
        {
            return (rows, warnings);
        }

        var table = NetworkTable.For(inputs.Model, inputs.Settings);
        var callers = inputs.Registry.Workloads
            .Where(w => w.Node.Mode != Wire.ProxyMode.Gateway || !w.Node.Labels.ContainsKey(NetworkTable.Label))
            .Select(w => table.Of(w.Node.Labels, w.Node.Address))
            .Append(inputs.Settings.Network)
            .Where(n => n.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
        var endpoints = hosts
            .Select(inputs.Services.Find)
            .OfType<ServiceModel>()
            .SelectMany(s => s.Endpoints.Select(e => e.Endpoint))
            .Where(e => e.Network.Length > 0)
            .DistinctBy(e => (e.Address, e.Port))
            .OrderBy(e => e.Network, StringComparer.Ordinal)
            .ThenBy(e => e.Address, StringComparer.Ordinal)
            .ThenBy(e => e.Port);
        foreach (var endpoint in endpoints)
        {
            foreach (var from in callers.Where(n => n != endpoint.Network).Order(StringComparer.Ordinal))
            {
                var unreachable = NetworkEndpointFilter.Unreachable(endpoint, from, gateways, localOnly: false);
                var via = unreachable is null ? string.Join(" or ", gateways.Of(endpoint.Network).Select(g => g.Authority)) : "";
                rows.Add(new JsonObject
                {
                    ["endpoint"] = endpoint.Address.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}",
                    ["workload"] = endpoint.Workload,
                    ["network"] = endpoint.Network,
                    ["from_network"] = from,
                    ["reached"] = unreachable is null ? $"via {via}" : "unreachable",
                    ["reason"] = unreachable,
                });
                if (unreachable is not null)
                {
                    warnings.Add($"endpoint {endpoint.Address} (network {endpoint.Network}) {unreachable}");
                }
            }
        }

        return (rows, warnings);
    }
}
