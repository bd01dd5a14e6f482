using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic.Common;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Traffic.Faults;

/// <summary>
/// Envoy's fault filter for one route: waits the injected delay (flag DI), then answers with the
/// injected abort (flag FI) instead of forwarding. A gRPC abort (or an HTTP abort of a gRPC call)
/// is a trailers-only gRPC error. The delay counts against neither the route timeout nor retries:
/// it happens before the request reaches the router, as in Envoy.
/// </summary>
internal sealed class FaultFilter(FaultModel fault, TimeProvider time) : IRouteFilter
{
    private const string AbortMessage = "fault filter abort";
    private static readonly ReadOnlyMemory<byte> AbortBody = "fault filter abort"u8.ToArray();

    public ValueTask<bool> OnRequestAsync(HttpContext context, RoutingResult request)
    {
        if (fault.HasDelay && Percentages.Roll(fault.DelayPercentage))
        {
            return DelayThenAbortAsync(context, request);
        }

        return fault.HasAbort && Percentages.Roll(fault.AbortPercentage)
            ? AbortAsync(context, request)
            : ValueTask.FromResult(true);
    }

    private async ValueTask<bool> DelayThenAbortAsync(HttpContext context, RoutingResult request)
    {
        request.AddFlags(ResponseFlags.DelayInjected);
        try
        {
            await Task.Delay(fault.Delay, time, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            request.AddFlags(ResponseFlags.DownstreamConnectionTermination);
            return false;
        }

        if (fault.HasAbort && Percentages.Roll(fault.AbortPercentage))
        {
            return await AbortAsync(context, request);
        }

        return true;
    }

    /// <summary>Writes the abort reply; always returns false (the request is answered).</summary>
    private async ValueTask<bool> AbortAsync(HttpContext context, RoutingResult request)
    {
        request.AddFlags(ResponseFlags.FaultInjected);
        var response = context.Response;
        if (fault.AbortGrpcStatus >= 0)
        {
            GrpcReply.Write(response, fault.AbortGrpcStatus, AbortMessage);
            return false;
        }

        if (GrpcReply.IsGrpc(context.Request))
        {
            GrpcReply.Write(response, GrpcReply.StatusForHttp(fault.AbortHttpStatus), AbortMessage);
            return false;
        }

        response.StatusCode = fault.AbortHttpStatus;
        response.ContentType = "text/plain";
        response.ContentLength = AbortBody.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(AbortBody, context.RequestAborted);
        }

        return false;
    }
}
