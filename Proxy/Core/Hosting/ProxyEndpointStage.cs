using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Hands every request the proxy's one endpoint — YARP's catch-all route, which the mesh's own
/// routing stage routes from — so endpoint routing skips matching it: matching a catch-all costs
/// each request a route-value dictionary and a copy of its path, and can only ever find that
/// endpoint. When the host maps other endpoints too, requests are matched as usual.
/// </summary>
internal sealed class ProxyEndpointStage
{
    private readonly RequestDelegate _next;
    private readonly EndpointDataSource _endpoints;
    private volatile Endpoint? _only;

    public ProxyEndpointStage(RequestDelegate next, EndpointDataSource endpoints)
    {
        _next = next;
        _endpoints = endpoints;
        ChangeToken.OnChange(endpoints.GetChangeToken, Refresh);
        Refresh();
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (_only is { } endpoint && context.GetEndpoint() is null)
        {
            context.SetEndpoint(endpoint);
        }

        return _next(context);
    }

    private void Refresh() => _only = _endpoints.Endpoints is [var only] ? only : null;
}
