using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// Liveness (<c>/healthz</c>) and readiness (<c>/readyz</c>); no token needed. Ready once the first
/// configuration load finished and a configuration serves (accepted, or restored from the data
/// directory). A control plane whose sources are invalid and that has nothing to restore stays not
/// ready and pushes nothing: an empty snapshot would take every route away from its proxies.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", (ControlPlaneReadiness readiness, ConfigStore store) => NotReadyReason(readiness, store) is { } reason
            ? Results.Text(reason + "\n", statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text("ready\n"));
        return endpoints;
    }

    private static string? NotReadyReason(ControlPlaneReadiness readiness, ConfigStore store) =>
        !readiness.IsConfigLoaded ? "loading configuration"
        : store.Current.IsAccepted ? null
        : $"no configuration accepted yet: {store.GetStatus().Rejected.Count} source(s) refused (GET /api/v1/config/status or meshctl status shows the errors)";
}
