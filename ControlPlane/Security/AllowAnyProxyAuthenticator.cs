using Grpc.Core;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// The default until workload credentials exist: every proxy that reaches the (loopback-bound)
/// discovery port is trusted with the node it claims. Replace it by registering another
/// <see cref="IProxyAuthenticator"/>.
/// </summary>
internal sealed class AllowAnyProxyAuthenticator : IProxyAuthenticator
{
    public ValueTask<ProxyAuthenticationResult> AuthenticateAsync(ServerCallContext context, Node node, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProxyAuthenticationResult.Success);
}
