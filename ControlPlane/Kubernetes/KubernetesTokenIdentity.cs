namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Who a reviewed service account token belongs to: the workload identity the CA may sign
/// (<c>spiffe://&lt;trust-domain&gt;/ns/&lt;Namespace&gt;/sa/&lt;ServiceAccount&gt;</c>) and, for a
/// pod-bound projected token, the pod.
/// </summary>
internal sealed record KubernetesTokenIdentity(string Namespace, string ServiceAccount, string? PodName, string? PodUid)
{
    public string SpiffeId(string trustDomain) => $"spiffe://{trustDomain}/ns/{Namespace}/sa/{ServiceAccount}";
}
