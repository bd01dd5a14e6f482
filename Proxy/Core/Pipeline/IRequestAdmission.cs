using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// A check that runs once a route matched and before the route's filters, as Envoy's HTTP filters
/// that precede fault injection and the router (jwt_authn, RBAC): a request it refuses is neither
/// faulted, redirected, answered by a direct response nor mirrored. Registered in DI; the routing
/// stage asks <see cref="AppliesTo"/> first, so a request it does not concern costs one call.
/// </summary>
public interface IRequestAdmission
{
    bool AppliesTo(MeshRequestFeature request);

    /// <summary>Returns false when it has produced the response (e.g. 401, 403) and the request must go no further.</summary>
    ValueTask<bool> AdmitAsync(HttpContext context, MeshRequestFeature request);
}
