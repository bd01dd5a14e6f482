using Mesh.Config.Model.GatewayApi;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A label selector over namespaces. The mesh knows no Namespace objects, so a namespace has the
/// one label Kubernetes gives every namespace: <c>kubernetes.io/metadata.name: &lt;name&gt;</c>.
/// </summary>
internal static class NamespaceSelector
{
    public const string NameLabel = "kubernetes.io/metadata.name";

    public static bool Matches(LabelSelector selector, string ns)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [NameLabel] = ns };
        return selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value)
            && selector.MatchExpressions.All(e => e.Operator switch
            {
                "In" => labels.TryGetValue(e.Key ?? "", out var v) && e.Values.Contains(v),
                "NotIn" => !labels.TryGetValue(e.Key ?? "", out var v) || !e.Values.Contains(v),
                "Exists" => labels.ContainsKey(e.Key ?? ""),
                "DoesNotExist" => !labels.ContainsKey(e.Key ?? ""),
                _ => false,
            });
    }
}
