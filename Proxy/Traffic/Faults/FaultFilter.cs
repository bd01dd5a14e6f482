using System.Globalization;
using Mesh.Proxy.Core.Explain;
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
internal sealed class FaultFilter(FaultModel fault, TimeProvider time) : IRouteFilter, IExplainableRouteFilter
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

    /// <summary>The injected delay and abort with their odds; a 100 % abort ends the request, as the filter would.</summary>
    public void Explain(ExplainContext context)
    {
        var parts = new List<string>();
        if (fault.HasDelay)
        {
            parts.Add($"delay {RouterText(fault.Delay)} for {Percent(fault.DelayPercentage)} of requests (flag DI)");
            context.Set("fault_delay", $"{RouterText(fault.Delay)} {Percent(fault.DelayPercentage)}");
        }

        var abortStatus = fault.AbortGrpcStatus >= 0 ? $"grpc-status {fault.AbortGrpcStatus}" : $"HTTP {fault.AbortHttpStatus}";
        if (fault.HasAbort)
        {
            parts.Add($"abort with {abortStatus} for {Percent(fault.AbortPercentage)} of requests (flag FI)");
            context.Set("fault_abort", $"{abortStatus} {Percent(fault.AbortPercentage)}");
        }

        var certainAbort = fault.HasAbort && fault.AbortPercentage >= 100;
        context.Add(new ExplainStep("Fault", certainAbort ? "abort" : parts.Count == 0 ? "none" : "may inject", parts.Count == 0 ? "the route's fault has no effect" : string.Join("; ", parts)));
        if (certainAbort)
        {
            context.End(fault.AbortGrpcStatus >= 0 ? StatusCodes.Status200OK : fault.AbortHttpStatus, "fault filter abort (FI)");
        }
    }

    private static string Percent(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " %";

    private static string RouterText(TimeSpan value) => value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";

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
