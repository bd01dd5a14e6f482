using Grpc.Core;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Security;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// The discovery stream's credential check in Kubernetes mode: the proxy's bearer token must be a
/// valid projected service account token (TokenReview), and the node it claims must be that
/// token's namespace and service account — a pod cannot register as another workload.
/// </summary>
internal sealed class KubernetesProxyAuthenticator(KubernetesTokenReviewer reviewer) : IProxyAuthenticator
{
    public async ValueTask<ProxyAuthenticationResult> AuthenticateAsync(ServerCallContext context, Node node, CancellationToken cancellationToken)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return ProxyAuthenticationResult.Unauthenticated("a Kubernetes service account token is required (authorization: Bearer <token>)");
        }

        var identity = await reviewer.ReviewAsync(header["Bearer ".Length..].Trim(), cancellationToken);
        if (identity is null)
        {
            return ProxyAuthenticationResult.Unauthenticated("the service account token was not accepted by the API server's TokenReview");
        }

        if (identity.Namespace != node.Namespace || identity.ServiceAccount != node.ServiceAccount)
        {
            return ProxyAuthenticationResult.NotEntitled(
                $"the token belongs to {identity.Namespace}/{identity.ServiceAccount}, but the node claims {node.Namespace}/{node.ServiceAccount}");
        }

        if (identity.PodName is { } pod && node.Id.Length > 0 && node.Id != pod)
        {
            return ProxyAuthenticationResult.NotEntitled($"the token is bound to pod {pod}, but the node id is {node.Id}");
        }

        return ProxyAuthenticationResult.Success;
    }
}
