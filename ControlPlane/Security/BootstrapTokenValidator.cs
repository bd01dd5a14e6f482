namespace Mesh.ControlPlane.Security;

/// <summary>The credential check outside Kubernetes: a <see cref="BootstrapToken"/> signed with this control plane's key.</summary>
internal sealed class BootstrapTokenValidator(BootstrapKey key, TimeProvider time) : IWorkloadCredentialValidator
{
    public ValueTask<WorkloadCredentialResult> ValidateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (key.Value is not { } secret)
        {
            return ValueTask.FromResult(WorkloadCredentialResult.Fail(
                "this control plane has no bootstrap key (ControlPlane:Security:BootstrapKeyFile or GenerateBootstrapKey), so it accepts no workload credential"));
        }

        return ValueTask.FromResult(bearerToken is null
            ? WorkloadCredentialResult.Fail("a bootstrap token is required (authorization: Bearer <token>)")
            : BootstrapToken.Validate(secret, bearerToken, time.GetUtcNow()));
    }
}
