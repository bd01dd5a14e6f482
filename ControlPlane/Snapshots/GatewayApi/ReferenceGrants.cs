using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The ReferenceGrants of a configuration: whether an object of one kind and namespace may refer
/// to an object of another namespace. A grant lives in the target's namespace and names the
/// source kinds and namespaces (<c>from</c>) and the target kinds, optionally one name (<c>to</c>).
/// </summary>
internal sealed class ReferenceGrants(IReadOnlyList<ConfigResource<ReferenceGrantConfig>> grants)
{
    public bool Allows(string fromGroup, string fromKind, string fromNamespace, string toGroup, string toKind, string toNamespace, string toName)
    {
        if (fromNamespace == toNamespace)
        {
            return true;
        }

        return grants.Any(grant => grant.Namespace == toNamespace
            && grant.Spec.From.Any(f => f.Group == fromGroup && f.Kind == fromKind && f.Namespace == fromNamespace)
            && grant.Spec.To.Any(t => t.Group == toGroup && t.Kind == toKind && (string.IsNullOrEmpty(t.Name) || t.Name == toName)));
    }
}
