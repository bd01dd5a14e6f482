namespace Mesh.ControlPlane.Security;

/// <summary>
/// Verifies the bearer credential a proxy presents to the CSR API and the discovery stream:
/// bootstrap tokens locally (<see cref="BootstrapTokenValidator"/>), projected service account
/// tokens through TokenReview on Kubernetes (<c>KubernetesCredentialValidator</c> in ControlPlane/Kubernetes).
/// </summary>
internal interface IWorkloadCredentialValidator
{
    /// <param name="bearerToken">The token from <c>authorization: Bearer</c>; null when none was sent.</param>
    ValueTask<WorkloadCredentialResult> ValidateAsync(string? bearerToken, CancellationToken cancellationToken);
}
