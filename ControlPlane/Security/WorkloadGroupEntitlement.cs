using Mesh.Config.Model;
using Mesh.Config.Model.Networking;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// What a credential bound to a WorkloadGroup (a VM's bootstrap token from
/// <c>meshctl workload entry configure</c>) entitles: the group's service account, while the group
/// exists and still names that account. The CA checks it before signing, so a token for a deleted
/// group, or for a group whose account changed, no longer yields a certificate.
/// </summary>
internal static class WorkloadGroupEntitlement
{
    /// <summary>The identity a group's workloads run as (Istio: the template's serviceAccount, else <c>default</c>).</summary>
    public static string ServiceAccountOf(WorkloadEntryConfig template) =>
        string.IsNullOrEmpty(template.ServiceAccount) ? "default" : template.ServiceAccount;

    /// <summary>Why <paramref name="credential"/> no longer entitles its holder, or null (also for a credential bound to no group).</summary>
    public static string? Refusal(MeshModel model, WorkloadCredential credential)
    {
        if (credential.WorkloadGroup is not { } name)
        {
            return null;
        }

        var group = model.WorkloadGroups.FirstOrDefault(g => g.Namespace == credential.Namespace && g.Name == name);
        if (group?.Spec.Template is not { } template)
        {
            return $"the credential is bound to WorkloadGroup {credential.Namespace}/{name}, which does not exist";
        }

        var account = ServiceAccountOf(template);
        return account == credential.ServiceAccount
            ? null
            : $"the credential is bound to WorkloadGroup {credential.Namespace}/{name} as {credential.ServiceAccount}, but the group's service account is {account}";
    }
}
