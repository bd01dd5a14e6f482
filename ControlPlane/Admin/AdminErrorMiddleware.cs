namespace Mesh.ControlPlane.Admin;

/// <summary>
/// Turns an unexpected failure of an admin request (e.g. the data directory is not writable)
/// into a 500 with a JSON message instead of an empty response; the exception is logged.
/// </summary>
internal sealed partial class AdminErrorMiddleware(RequestDelegate next, ILogger<AdminErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && context.Request.Path.StartsWithSegments("/api"))
        {
            LogFailed(logger, context.Request.Method, context.Request.Path, ex);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new MessageResponse($"internal error: {ex.Message}"), AdminJson.Context.MessageResponse);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Admin request {Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, string method, PathString path, Exception exception);
}
