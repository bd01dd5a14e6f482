using Mesh.ControlPlane.Admin;
using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Hosting;

/// <summary>The control plane's request pipeline and endpoints.</summary>
public static class ControlPlaneApplicationExtensions
{
    public static WebApplication MapMeshControlPlane(this WebApplication app)
    {
        app.UseMiddleware<AdminErrorMiddleware>();
        app.UseMiddleware<AdminAuthenticationMiddleware>();
        app.UseRouting();
        app.UseMiddleware<ListenerSeparationMiddleware>();

        app.MapGrpcService<MeshDiscoveryService>();
        app.MapHealthEndpoints();
        app.MapConfigEndpoints();
        app.MapProxyEndpoints();
        return app;
    }
}
