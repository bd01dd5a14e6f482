using System.Collections.Concurrent;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security.Tls;
using Microsoft.AspNetCore.Http;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>Records how requests reached a sidecar's inbound listener: HTTP version, the mTLS peer (if any) and the connection.</summary>
public sealed class InboundRecorder : IMeshRequestObserver
{
    public sealed record Seen(string Protocol, string? Peer, int Status, string Connection);

    public ConcurrentQueue<Seen> Requests { get; } = new();

    public void OnRequestCompleted(HttpContext context, RoutingResult request)
    {
        if (request.Listener.Kind == ListenerKind.Inbound)
        {
            Requests.Enqueue(new Seen(context.Request.Protocol, context.Features.Get<MeshPeerIdentityFeature>()?.Identity.Uri, context.Response.StatusCode, context.Connection.Id));
        }
    }
}
