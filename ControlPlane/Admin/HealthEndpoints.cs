using Mesh.ControlPlane.Hosting;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// Liveness (<c>/healthz</c>) and readiness (<c>/readyz</c>: the first config load finished and a
/// configuration serves; <see cref="ControlPlaneReadiness"/>); no token needed.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", (ControlPlaneReadiness readiness) => readiness.NotReadyReason is { } reason
            ? Results.Text(reason + "\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready\n"));
        return endpoints;
    }
}
