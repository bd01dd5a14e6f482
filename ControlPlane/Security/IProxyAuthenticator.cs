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

/// <summary>
/// The outcome of <see cref="IProxyAuthenticator.AuthenticateAsync"/>. A refusal says which kind it
/// is, so the discovery stream answers as the CA does: <see cref="StatusCode.Unauthenticated"/> for a
/// missing or invalid credential, <see cref="StatusCode.PermissionDenied"/> for a valid credential
/// that does not entitle its holder to the node it claims.
/// </summary>
internal sealed record ProxyAuthenticationResult
{
    private ProxyAuthenticationResult(bool succeeded, string? failureReason, StatusCode failureCode)
    {
        Succeeded = succeeded;
        FailureReason = failureReason;
        FailureCode = failureCode;
    }

    public static ProxyAuthenticationResult Success { get; } = new(true, null, StatusCode.OK);

    public bool Succeeded { get; }

    public string? FailureReason { get; }

    /// <summary>The gRPC status of a refusal (<see cref="StatusCode.OK"/> on success).</summary>
    public StatusCode FailureCode { get; }

    /// <summary>No credential, or one that does not verify: the caller is not known.</summary>
    public static ProxyAuthenticationResult Unauthenticated(string reason) => new(false, reason, StatusCode.Unauthenticated);

    /// <summary>The caller is known, but its credential names another workload than the node it claims.</summary>
    public static ProxyAuthenticationResult NotEntitled(string reason) => new(false, reason, StatusCode.PermissionDenied);
}
