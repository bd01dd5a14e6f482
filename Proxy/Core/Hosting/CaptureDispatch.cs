using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// The first connection stage of the capture listeners (docs/capture.md): reads the original
/// destination and hands the connection to the listener that serves it, with every stage of that
/// listener (Envoy's original_dst listener filter handing a connection to the listener of its
/// destination). Outbound: a mesh HTTP port stays on the outbound capture listener (HTTP/1.1),
/// HTTP2/gRPC ports go to its h2c sibling, everything else to its TCP sibling (L4: the service's
/// chains, or passthrough / refusal). Inbound: the sidecar's inbound listener whose app port the
/// caller dialled. A connection that was not redirected (made to a capture port itself) is closed:
/// routing it to its own destination would loop.
/// </summary>
internal sealed partial class CaptureDispatch(ListenerSet listeners, RoutingState routing, ILogger<CaptureDispatch> logger)
{
    /// <summary>The first stage of a capture listener's connections.</summary>
    public Func<ConnectionDelegate, ConnectionDelegate> For(MeshListener listener) =>
        listener.Kind == ListenerKind.InboundCapture
            ? next => connection => Inbound(connection)
            : listener.CaptureSibling
                ? next => connection => connection.Features.Get<OriginalDestination>() is null ? Refuse(connection, listener, "it was not captured") : next(connection)
                : next => connection => Outbound(connection, listener, next);

    private Task Outbound(ConnectionContext connection, MeshListener listener, ConnectionDelegate next)
    {
        if (OriginalDestination.Read(connection) is not { } destination)
        {
            return Refuse(connection, listener, "it has no original destination (not redirected by capture)");
        }

        connection.Features.Set(destination);
        var target = routing.Current?.Capture.Find(destination.EndPoint);
        if (target is { IsHttp1: true })
        {
            return next(connection);
        }

        var sibling = target is { IsHttp2: true } ? listeners.OutboundCaptureHttp2 : listeners.OutboundCaptureTcp;
        return sibling!.Pipeline(connection);
    }

    private Task Inbound(ConnectionContext connection)
    {
        var listener = listeners.InboundCapture!;
        if (OriginalDestination.Read(connection) is not { } destination)
        {
            return Refuse(connection, listener, "it has no original destination (not redirected by capture)");
        }

        foreach (var inbound in listeners.All)
        {
            if (inbound.Kind == ListenerKind.Inbound && inbound.TargetPort == destination.EndPoint.Port)
            {
                connection.Features.Set(destination);
                return inbound.Pipeline(connection);
            }
        }

        return Refuse(connection, listener, $"port {destination.EndPoint.Port} is no inbound port of this workload");
    }

    private Task Refuse(ConnectionContext connection, MeshListener listener, string reason)
    {
        Log.Refused(logger, listener.Name, connection.RemoteEndPoint?.ToString(), reason);
        connection.Abort(new ConnectionAbortedException(reason));
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Listener}: closed the connection from {Remote}: {Reason}")]
        public static partial void Refused(ILogger logger, string listener, string? remote, string reason);
    }
}
