namespace Mesh.ControlPlane.Admin;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;token&gt;</c> on every <c>/api</c> request when an admin
/// token is configured; health endpoints stay open.
/// </summary>
internal sealed class AdminAuthenticationMiddleware(RequestDelegate next, AdminToken token)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!token.IsRequired || !context.Request.Path.StartsWithSegments("/api"))
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && token.Matches(header.AsSpan(Scheme.Length).Trim()))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(
            new MessageResponse(header.Length == 0
                ? "authentication required: send 'Authorization: Bearer <token>' (the admin token)"
                : "invalid admin token"),
            AdminJson.Context.MessageResponse);
    }
}
