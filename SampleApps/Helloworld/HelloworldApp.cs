// Istio's helloworld sample: GET /hello answers "Hello version: <SERVICE_VERSION>, instance: <HOSTNAME>",
// which is how Istio's locality tasks see which locality served a call.
using Mesh.ServiceDefaults;

namespace Samples.Helloworld;

internal static class HelloworldApp
{
    /// <summary>Istio's helloworld listens on 5000.</summary>
    public const int DefaultPort = 5000;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel => kestrel.ListenLocalhost(DefaultPort));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        var version = app.Configuration["SERVICE_VERSION"] ?? "v1";
        var instance = app.Configuration["HOSTNAME"] ?? Environment.MachineName;
        app.MapGet("/hello", () => Results.Text($"Hello version: {version}, instance: {instance}\n"));
        return app;
    }
}
