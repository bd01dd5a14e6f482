using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Gateways;

/// <summary>
/// What one Gateway's proxy runs with: its identity (Istio's generated names: workload and
/// service account <c>&lt;gateway&gt;-&lt;class&gt;</c>) and one local listener per listener port.
/// Two deployments that are equal need no restart.
/// </summary>
internal sealed record GatewayDeployment(string Namespace, string Name, string ClassName, IReadOnlyList<GatewayDeploymentPort> Ports)
{
    public string Key => $"{Namespace}/{Name}";

    public string Workload => GatewayApiNames.DeploymentName(Name, ClassName);

    /// <summary>Unique per Gateway: the workload name in its namespace.</summary>
    public string NodeId => $"{Workload}.{Namespace}";

    public bool Equals(GatewayDeployment? other) =>
        other is not null && Key == other.Key && ClassName == other.ClassName && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode() => HashCode.Combine(Key, ClassName, Ports.Count);
}

/// <summary>A listener port of a Gateway, the local port serving it, its protocol and the listeners on it.</summary>
internal sealed record GatewayDeploymentPort(int ListenerPort, int LocalPort, string Protocol, string Listeners);

/// <summary>
/// The deployments a graph asks for: every accepted Gateway with listeners the mesh serves (HTTP,
/// HTTPS, TCP, TLS).
/// A local port two Gateways would share stays with the first (namespace/name order); the other's
/// listeners on it get <c>PortUnavailable</c>.
/// </summary>
internal static class GatewayDeployments
{
    public static (IReadOnlyList<GatewayDeployment> Deployments, IReadOnlyDictionary<string, IReadOnlyDictionary<string, GatewayApiProblem>> Problems) Plan(GatewayApiGraph graph, GatewayProxyOptions options)
    {
        var owners = new Dictionary<int, string>();
        var deployments = new List<GatewayDeployment>();
        var problems = new Dictionary<string, IReadOnlyDictionary<string, GatewayApiProblem>>(StringComparer.Ordinal);
        foreach (var gateway in graph.Gateways.Where(g => g.Refused is null).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ports = new List<GatewayDeploymentPort>();
            var gatewayProblems = new Dictionary<string, GatewayApiProblem>(StringComparer.Ordinal);
            foreach (var group in gateway.Listeners.Where(l => l.Programmable && l.Protocol is "HTTP" or "HTTPS" or "TCP" or "TLS").GroupBy(l => (int)l.Port).OrderBy(g => g.Key))
            {
                var local = options.LocalPort(group.Key);
                if (owners.TryGetValue(local, out var owner))
                {
                    foreach (var listener in group)
                    {
                        gatewayProblems[listener.Name] = new("PortUnavailable", $"local port {local} (for port {group.Key}) is taken by Gateway {owner}");
                    }

                    continue;
                }

                owners[local] = gateway.Key;
                // TCP and TLS listeners (TCPRoute, TLSRoute) are a TCP listener of the proxy: it reads
                // the SNI, terminates or passes TLS through per listener, as for Istio's TCP/TLS servers.
                var protocol = group.All(l => !l.IsHttp) ? "TCP" : group.Any(l => l.Protocol == "HTTPS") ? "HTTPS" : "HTTP";
                ports.Add(new GatewayDeploymentPort(group.Key, local, protocol, string.Join(",", group.Select(l => l.Name))));
            }

            if (gatewayProblems.Count > 0)
            {
                problems[gateway.Key] = gatewayProblems;
            }

            if (ports.Count > 0)
            {
                deployments.Add(new GatewayDeployment(gateway.Gateway.Namespace, gateway.Gateway.Name, gateway.ClassName, ports));
            }
        }

        return (deployments, problems);
    }
}
