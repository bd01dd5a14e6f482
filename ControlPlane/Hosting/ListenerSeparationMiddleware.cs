using Grpc.AspNetCore.Server;

namespace Mesh.ControlPlane.Hosting;

/// <summary>
/// Keeps each listener to its own endpoints: gRPC services only on the gRPC port, the admin API
/// and health only on the admin port (runs after routing, so it can look at the endpoint).
/// </summary>
internal sealed class ListenerSeparationMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var listener = ControlPlaneListeners.ListenerOf(context);
        if (listener is null)
        {
            return next(context); // an in-memory test server: no listeners to separate
        }

        var isGrpc = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
        if (isGrpc == (listener == ListenerKind.Grpc))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
