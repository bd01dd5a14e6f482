using Mesh.ControlPlane.Admin;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Discovery;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// The mesh console on the admin listener: the page at <c>/</c>, its files under
/// <c>/console/</c>, its data at <c>GET /console/api/overview</c> and request explanations at
/// <c>POST /console/api/explain</c> (the admin API's explain: it computes, never changes anything).
/// </summary>
internal static class ConsoleEndpoints
{
    public const string OverviewPath = "/console/api/overview";
    public const string ExplainPath = "/console/api/explain";

    // The page may load only its own files and talk only to its own origin.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapMeshConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext context, AdminToken token) => Asset(context, token, "index.html"));
        endpoints.MapGet("/console/{file}", (string file, HttpContext context, AdminToken token) => Asset(context, token, file));
        endpoints.MapGet(OverviewPath, async (HttpContext context, AdminToken token, MeshConsoleService console) =>
        {
            if (!ConsoleAccess.IsAllowed(context, token))
            {
                return Denied(context);
            }

            context.Response.Headers.CacheControl = "no-store";
            var overview = await console.GetOverviewAsync(context.RequestAborted);
            return Results.Json(overview, ConsoleJsonContext.Default.MeshConsoleOverview);
        });
        endpoints.MapPost(ExplainPath, (HttpContext context, AdminToken token, ConnectedProxies connected, ProxyExplainClient client, IOptions<ControlPlaneOptions> options) =>
        {
            if (!ConsoleAccess.IsAllowed(context, token))
            {
                return Task.FromResult(Denied(context));
            }

            // Explain takes JSON only, which a cross-site form cannot send without a CORS preflight
            // that this origin never grants.
            context.Response.Headers.CacheControl = "no-store";
            return ExplainEndpoints.ExplainAsync(context.Request, connected, client, options, context.RequestAborted);
        });
        return endpoints;
    }

    private static IResult Asset(HttpContext context, AdminToken token, string file)
    {
        if (!ConsoleAccess.IsAllowed(context, token))
        {
            return Denied(context);
        }

        if (!ConsoleAssets.TryGet(file, out var content, out var contentType))
        {
            return ConfigEndpoints.Message(StatusCodes.Status404NotFound, $"no console file '{file}'");
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return Results.Bytes(content, contentType);
    }

    private static IResult Denied(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ConfigEndpoints.Message(StatusCodes.Status401Unauthorized,
            "the mesh console is open on loopback (http://localhost:<admin port>/); from elsewhere send 'Authorization: Bearer <token>' (the admin token)");
    }
}
