using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// A branch of the proxy pipeline (<c>UseWhen</c>) seen as YARP's pipeline builder, so YARP's own
/// stages (e.g. <c>UsePassiveHealthChecks</c>) can be added only where a request needs them.
/// </summary>
internal sealed class ReverseProxyBranch(IApplicationBuilder inner) : IReverseProxyApplicationBuilder
{
    public IServiceProvider ApplicationServices
    {
        get => inner.ApplicationServices;
        set => inner.ApplicationServices = value;
    }

    public IFeatureCollection ServerFeatures => inner.ServerFeatures;

    public IDictionary<string, object?> Properties => inner.Properties;

    public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware)
    {
        inner.Use(middleware);
        return this;
    }

    public IApplicationBuilder New() => new ReverseProxyBranch(inner.New());

    public RequestDelegate Build() => inner.Build();
}
