using Mesh.ControlPlane.Common;

namespace Mesh.ControlPlane.Admin;

/// <summary>Liveness (<c>/healthz</c>) and readiness (<c>/readyz</c>: the first config load finished); no token needed.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", (ControlPlaneReadiness readiness) => readiness.IsReady
            ? Results.Text("ready\n")
            : Results.Text("loading configuration\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return endpoints;
    }
}
