using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Picks the DestinationRule that applies to a service for one proxy, with Istio's precedence:
/// a rule selecting the proxy's workload, then the proxy's namespace, the service's namespace,
/// the root namespace; an exact host before a wildcard; then name order. (Istio also merges
/// several rules of one namespace for the same host; Mesh uses the first, see the docs.) Only the
/// rules whose host can cover the service are tried: those naming its host, and the wildcard ones
/// (<see cref="RulesByHost"/>, per model) — not every rule of the mesh for every service of every
/// outbound part.
/// </summary>
internal sealed class DestinationRuleIndex(MeshModel model, Wire.Node node, MeshSettings settings)
{
    private readonly string _nodeNamespace = string.IsNullOrEmpty(node.Namespace) ? settings.DefaultNamespace : node.Namespace;
    private readonly RulesByHost _byHost = RulesByHost.Of(model, settings.DomainSuffix);

    public ConfigResource<DestinationRuleConfig>? For(ServiceModel service)
    {
        ConfigResource<DestinationRuleConfig>? best = null;
        var bestRank = int.MaxValue;
        var exact = _byHost.Naming(service.Hostname);
        var wildcards = _byHost.Wildcards;

        // Both lists are in the model's (name) order; merged, the rules are tried in that order as before.
        for (int e = 0, w = 0; e < exact.Length || w < wildcards.Length;)
        {
            var index = w >= wildcards.Length || (e < exact.Length && exact[e] < wildcards[w]) ? exact[e++] : wildcards[w++];
            var rule = model.DestinationRules[index];
            var host = _byHost.Resolved[index]!;
            if (!Applies(rule, host, service.Hostname))
            {
                continue;
            }

            var scope = rule.Spec.WorkloadSelector is not null ? 0
                : rule.Namespace == _nodeNamespace ? 1
                : rule.Namespace == service.Namespace ? 2
                : rule.Namespace == settings.RootNamespace ? 3
                : 4;
            var rank = (scope * 2) + (string.Equals(host, service.Hostname, StringComparison.OrdinalIgnoreCase) ? 0 : 1);
            if (rank < bestRank)
            {
                best = rule;
                bestRank = rank;
            }
        }

        return best;
    }

    private bool Applies(ConfigResource<DestinationRuleConfig> rule, string resolvedHost, string hostname)
    {
        if (!HostNames.IsVisible(rule.Spec.ExportTo, rule.Namespace, _nodeNamespace))
        {
            return false;
        }

        if (rule.Spec.WorkloadSelector is { } selector && (rule.Namespace != _nodeNamespace || !selector.Matches(node.Labels)))
        {
            return false;
        }

        return HostNames.Covers(resolvedHost, hostname);
    }
}
