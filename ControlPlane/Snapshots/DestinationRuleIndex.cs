using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Picks the DestinationRule that applies to a service for one proxy, with Istio's precedence:
/// a rule selecting the proxy's workload, then the proxy's namespace, the service's namespace,
/// the root namespace; an exact host before a wildcard; then name order. (Istio also merges
/// several rules of one namespace for the same host; Mesh uses the first, see the docs.)
/// </summary>
internal sealed class DestinationRuleIndex(MeshModel model, Wire.Node node, MeshSettings settings)
{
    private readonly string _nodeNamespace = string.IsNullOrEmpty(node.Namespace) ? settings.DefaultNamespace : node.Namespace;

    public ConfigResource<DestinationRuleConfig>? For(ServiceModel service)
    {
        ConfigResource<DestinationRuleConfig>? best = null;
        var bestRank = int.MaxValue;
        foreach (var rule in model.DestinationRules)
        {
            if (!Applies(rule, service.Hostname))
            {
                continue;
            }

            var exact = string.Equals(HostNames.Resolve(rule.Spec.Host ?? "", rule.Namespace, settings.DomainSuffix), service.Hostname, StringComparison.OrdinalIgnoreCase);
            var scope = rule.Spec.WorkloadSelector is not null ? 0
                : rule.Namespace == _nodeNamespace ? 1
                : rule.Namespace == service.Namespace ? 2
                : rule.Namespace == settings.RootNamespace ? 3
                : 4;
            var rank = (scope * 2) + (exact ? 0 : 1);
            if (rank < bestRank)
            {
                best = rule;
                bestRank = rank;
            }
        }

        return best;
    }

    private bool Applies(ConfigResource<DestinationRuleConfig> rule, string hostname)
    {
        if (rule.Spec.Host is null || !HostNames.IsVisible(rule.Spec.ExportTo, rule.Namespace, _nodeNamespace))
        {
            return false;
        }

        if (rule.Spec.WorkloadSelector is { } selector && (rule.Namespace != _nodeNamespace || !selector.Matches(node.Labels)))
        {
            return false;
        }

        return HostNames.Covers(HostNames.Resolve(rule.Spec.Host, rule.Namespace, settings.DomainSuffix), hostname);
    }
}
