namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Settings of the Kubernetes mode (<c>ControlPlane:Mode=Kubernetes</c>), bound from
/// <c>ControlPlane:Kubernetes</c>. On a cluster the defaults and the in-cluster service account
/// are all it needs; tests point <see cref="ApiServer"/> at a local fake API server.
/// </summary>
internal sealed class KubernetesOptions
{
    public const string SectionName = "ControlPlane:Kubernetes";

    /// <summary>The API server URL; empty uses the in-cluster configuration (or the kubeconfig when run outside a cluster).</summary>
    public string? ApiServer { get; set; }

    /// <summary>Bearer token for <see cref="ApiServer"/> (the in-cluster configuration reads the pod's own).</summary>
    public string? AccessToken { get; set; }

    /// <summary>The control plane's own namespace (downward API), where the CA Secret lives.</summary>
    public string Namespace { get; set; } = "istio-system";

    /// <summary>Secret holding the mesh CA, so every replica and restart signs with the same root.</summary>
    public string CaSecretName { get; set; } = "mesh-ca";

    /// <summary>Directory under the data directory whose files the CA Secret mirrors (the CA's persisted root).</summary>
    public string CaDirectory { get; set; } = "ca";

    /// <summary>
    /// Namespaces whose Secrets serve as gateway credentials (<c>credentialName</c>): Istio reads a
    /// gateway's credential from the gateway's own namespace. Empty: no Secrets are read.
    /// </summary>
    public List<string> CredentialNamespaces { get; set; } = [];

    /// <summary>The audience proxies' projected service account tokens are minted for.</summary>
    public string TokenAudience { get; set; } = "mesh-controlplane";

    /// <summary>How long a reviewed token is trusted before it is reviewed again.</summary>
    public TimeSpan TokenReviewCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Full re-list of every kind, catching anything a watch could have missed.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Server-side timeout of one watch request; the watch resumes from the last resource version.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Pause before retrying after the API server failed or was unreachable (doubled up to 30 s).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The <c>coordination.k8s.io/v1</c> Lease in <see cref="Namespace"/> whose holder leads (status writes, CA bootstrap).</summary>
    public string LeaseName { get; set; } = "mesh-controlplane-leader";

    /// <summary>How long a Lease not renewed keeps its holder the leader: the longest a dead leader's duties wait for the next one.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A leader that could not renew its Lease for this long stops leading (less than <see cref="LeaseDuration"/>).</summary>
    public TimeSpan LeaseRenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the Lease is renewed by its holder and tried by the others.</summary>
    public TimeSpan LeaseRetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Quiet period after watch events before the configuration is recompiled.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);
}
