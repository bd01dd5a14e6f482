using Mesh.ControlPlane.Security;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>The credential check in Kubernetes mode: a projected service account token, reviewed by the API server.</summary>
internal sealed class KubernetesCredentialValidator(KubernetesTokenReviewer reviewer) : IWorkloadCredentialValidator
{
    public async ValueTask<WorkloadCredentialResult> ValidateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (bearerToken is null)
        {
            return WorkloadCredentialResult.Fail("a Kubernetes service account token is required (authorization: Bearer <token>)");
        }

        var identity = await reviewer.ReviewAsync(bearerToken, cancellationToken);
        return identity is null
            ? WorkloadCredentialResult.Fail("the service account token was not accepted by the API server's TokenReview")
            : WorkloadCredentialResult.Success(new WorkloadCredential(identity.Namespace, identity.ServiceAccount, identity.PodName));
    }
}
