using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Called synchronously when a proxied request completes, with its final <see cref="RoutingResult"/>
/// (telemetry, access logs). Implementations must be fast and must not keep the feature: it is pooled.
/// </summary>
public interface IMeshRequestObserver
{
    void OnRequestCompleted(HttpContext context, RoutingResult request);
}
