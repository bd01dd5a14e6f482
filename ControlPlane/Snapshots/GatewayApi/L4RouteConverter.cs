using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>One rule of a TCPRoute or TLSRoute: its weighted clusters (a connection picks one by weight).</summary>
internal sealed record L4ConvertedRule(string Name, IReadOnlyList<Wire.WeightedCluster> Clusters, IReadOnlyList<(string Host, uint Port)> References);

/// <summary>
/// Converts the rules of a TCPRoute or TLSRoute (Istio turns them into VirtualService <c>tcp</c> and
/// <c>tls</c> routes): each rule's weighted backendRefs (default weight 1, 0 dropped) resolve
/// through <see cref="RouteBackends"/>; an invalid backend keeps its share on a cluster without
/// endpoints, so its connections are closed (the spec: connections to an invalid backend are
/// rejected), and is reported under ResolvedRefs.
/// </summary>
internal static class L4RouteConverter
{
    public static RouteConversion Convert(ConfigObject route, IReadOnlyList<L4RouteRule> rules, RouteBackends backends)
    {
        var converted = new List<L4ConvertedRule>();
        var problems = new List<GatewayApiProblem>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var (clusters, references, ruleProblems, _) = backends.Weighted([.. rule.BackendRefs.Select(b => new HttpBackendRef
            {
                Group = b.Group,
                Kind = b.Kind,
                Name = b.Name,
                Namespace = b.Namespace,
                Port = b.Port,
                Weight = b.Weight,
            })]);
            problems.AddRange(ruleProblems);
            converted.Add(new L4ConvertedRule(rule.Name ?? $"{route.Metadata.Namespace}.{route.Metadata.Name}.{i}", clusters, references));
        }

        var unresolved = problems.Count == 0 ? null : new GatewayApiProblem(problems[0].Reason, string.Join("; ", problems.Select(p => p.Message).Distinct(StringComparer.Ordinal)));
        return new RouteConversion([], unresolved, [], rules.Count) { L4Rules = converted };
    }
}
