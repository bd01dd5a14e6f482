using System.Runtime.CompilerServices;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A model's DestinationRules by the host they name (resolved, as <see cref="HostNames.Resolve"/>
/// does), built once per model and domain suffix: the indexes (into
/// <see cref="MeshModel.DestinationRules"/>, ascending) of the rules naming a host exactly, and of
/// the wildcard rules, which may cover any host.
/// </summary>
internal sealed class RulesByHost
{
    private static readonly ConditionalWeakTable<MeshModel, RulesByHost> ByModel = new();
    private readonly Dictionary<string, int[]> _exact;

    private RulesByHost(MeshModel model, string domainSuffix)
    {
        DomainSuffix = domainSuffix;
        var rules = model.DestinationRules;
        Resolved = new string?[rules.Length];
        var exact = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new List<int>();
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Spec.Host is not { } host)
            {
                continue; // applies to nothing
            }

            var resolved = Resolved[i] = HostNames.Resolve(host, rules[i].Namespace, domainSuffix);
            if (resolved.StartsWith('*'))
            {
                wildcards.Add(i);
            }
            else
            {
                if (!exact.TryGetValue(resolved, out var naming))
                {
                    exact[resolved] = naming = [];
                }

                naming.Add(i);
            }
        }

        _exact = exact.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        Wildcards = [.. wildcards];
    }

    public string DomainSuffix { get; }

    /// <summary>Each rule's host resolved (null: the rule names none).</summary>
    public string?[] Resolved { get; }

    /// <summary>The wildcard rules, ascending.</summary>
    public int[] Wildcards { get; }

    /// <summary>The rules naming exactly <paramref name="hostname"/>, ascending.</summary>
    public int[] Naming(string hostname) => _exact.GetValueOrDefault(hostname) ?? [];

    public static RulesByHost Of(MeshModel model, string domainSuffix)
    {
        var index = ByModel.GetValue(model, m => new RulesByHost(m, domainSuffix));
        return index.DomainSuffix == domainSuffix ? index : new RulesByHost(model, domainSuffix);
    }
}
