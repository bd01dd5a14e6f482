using Grpc.Core;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// Decides whether a proxy may open a discovery stream for the node it claims to be. This is the
/// seam for the security work (bootstrap tokens locally, service account tokens on Kubernetes):
/// an implementation reads the caller's credential from <see cref="ServerCallContext.RequestHeaders"/>
/// and checks it against the node's namespace and service account.
/// </summary>
internal interface IProxyAuthenticator
{
    ValueTask<ProxyAuthenticationResult> AuthenticateAsync(ServerCallContext context, Node node, CancellationToken cancellationToken);
}

/// <summary>The outcome of <see cref="IProxyAuthenticator.AuthenticateAsync"/>.</summary>
internal sealed record ProxyAuthenticationResult(bool Succeeded, string? FailureReason = null)
{
    public static ProxyAuthenticationResult Success { get; } = new(true);

    public static ProxyAuthenticationResult Fail(string reason) => new(false, reason);
}
