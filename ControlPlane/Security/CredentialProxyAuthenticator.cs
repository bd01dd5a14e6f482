using Grpc.Core;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// The discovery stream's check outside Kubernetes: the proxy's credential must be valid and name
/// the namespace and service account (and, when bound to one, the node) the proxy claims in Hello,
/// so one workload's token cannot register as — and receive the configuration of — another.
/// </summary>
internal sealed class CredentialProxyAuthenticator(IWorkloadCredentialValidator validator) : IProxyAuthenticator
{
    public async ValueTask<ProxyAuthenticationResult> AuthenticateAsync(ServerCallContext context, Node node, CancellationToken cancellationToken)
    {
        var result = await validator.ValidateAsync(BearerToken.From(context.RequestHeaders), cancellationToken);
        if (result.Credential is not { } credential)
        {
            return ProxyAuthenticationResult.Unauthenticated(result.FailureReason ?? "not authenticated");
        }

        if (credential.Namespace != node.Namespace || credential.ServiceAccount != node.ServiceAccount)
        {
            return ProxyAuthenticationResult.NotEntitled(
                $"the credential belongs to {credential.Namespace}/{credential.ServiceAccount}, but the node claims {node.Namespace}/{node.ServiceAccount}");
        }

        if (credential.NodeId is { } bound && node.Id != bound)
        {
            return ProxyAuthenticationResult.NotEntitled($"the credential is bound to node {bound}, but the node id is {node.Id}");
        }

        if (credential.WorkloadGroup is { } group && node.WorkloadGroup != group)
        {
            return ProxyAuthenticationResult.NotEntitled(string.IsNullOrEmpty(node.WorkloadGroup)
                ? $"the credential is bound to WorkloadGroup {credential.Namespace}/{group}, but the node registers from none"
                : $"the credential is bound to WorkloadGroup {credential.Namespace}/{group}, but the node registers from {node.Namespace}/{node.WorkloadGroup}");
        }

        return ProxyAuthenticationResult.Success;
    }
}
