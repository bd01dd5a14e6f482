namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// Builds a runnable control plane. <c>Program.cs</c> and tests use the same composition; tests
/// pass settings (ports 0, temporary directories) through <paramref name="configure"/>.
/// </summary>
internal static class ControlPlaneHost
{
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddMeshControlPlane();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapMeshControlPlane();
        return app;
    }
}
