using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security;

/// <summary>
/// The RequestAuthentication and AuthorizationPolicy that select a gateway, enforced as soon as the
/// route matched — before the route's faults, redirects, direct responses and mirrors, as Envoy
/// runs jwt_authn and RBAC before them. A gateway has no mesh peer: principals come from JWTs only.
/// </summary>
internal sealed class GatewayRequestAdmission(InboundPolicyEnforcer enforcer) : IRequestAdmission
{
    public bool AppliesTo(MeshRequestFeature request) =>
        request.Listener.Kind == ListenerKind.Gateway
        && request.Model is { InboundSecurity: { } security }
        && !(security.Jwt.IsEmpty && security.Authorization.IsEmpty);

    public ValueTask<bool> AdmitAsync(HttpContext context, MeshRequestFeature request) =>
        enforcer.AdmitAsync(context, request.Listener, request.Model!.InboundSecurity, peer: null);
}
