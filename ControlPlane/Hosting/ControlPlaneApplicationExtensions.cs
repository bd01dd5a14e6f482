using Mesh.ControlPlane.Admin;
using Mesh.ControlPlane.Console;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Identity;

namespace Mesh.ControlPlane.Hosting;

/// <summary>The control plane's request pipeline and endpoints.</summary>
internal static class ControlPlaneApplicationExtensions
{
    public static WebApplication MapMeshControlPlane(this WebApplication app)
    {
        app.UseMiddleware<AdminErrorMiddleware>();
        app.UseMiddleware<AdminAuthenticationMiddleware>();
        app.UseRouting();
        app.UseMiddleware<ListenerSeparationMiddleware>();

        var drain = app.Services.GetRequiredService<DiscoveryDrain>();
        app.UseWhen(
            context => context.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not null,
            branch => branch.Use(next => context => drain.TrackAsync(context, next)));

        app.MapGrpcService<MeshDiscoveryService>();
        app.MapGrpcService<MeshCertificatesService>();
        app.MapHealthEndpoints();
        app.MapConfigEndpoints();
        app.MapProxyEndpoints();
        app.MapExplainEndpoints();
        app.MapDescribeEndpoints();
        app.MapWorkloadGroupEndpoints();
        app.MapMeshConsole();
        return app;
    }
}
