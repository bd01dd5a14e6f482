namespace Mesh.ControlPlane.Security;

/// <summary>
/// Whom a verified proxy credential belongs to: the namespace and service account whose identity
/// the CA may sign, and — for credentials bound to one proxy instance (a pod-bound service account
/// token, a bootstrap token minted for one node) — that node; for a VM's bootstrap token, the
/// WorkloadGroup (in <see cref="Namespace"/>) it may register from.
/// </summary>
internal sealed record WorkloadCredential(string Namespace, string ServiceAccount, string? NodeId = null, string? WorkloadGroup = null);

/// <summary>The outcome of checking a credential: the credential, or why it was not accepted.</summary>
internal sealed record WorkloadCredentialResult(WorkloadCredential? Credential, string? FailureReason)
{
    public static WorkloadCredentialResult Success(WorkloadCredential credential) => new(credential, null);

    public static WorkloadCredentialResult Fail(string reason) => new(null, reason);
}
