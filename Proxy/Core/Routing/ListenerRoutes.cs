using System.Collections.Frozen;
using Mesh.Proxy.Core.Listeners;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// How requests arriving on one listener find their virtual host under the current snapshot,
/// resolved at translation time so the request path does at most one table lookup.
/// </summary>
public sealed class ListenerRoutes
{
    public ListenerRoutes(MeshListener listener)
    {
        Listener = listener;
    }

    public MeshListener Listener { get; }

    /// <summary>Inbound: the cluster forwarding to the local app.</summary>
    public UpstreamCluster? InboundCluster { get; init; }

    /// <summary>Outbound binding: its virtual host whatever Host header the app sends (null: unknown to the mesh).</summary>
    public VirtualHostModel? BoundVirtualHost { get; init; }

    /// <summary>Outbound binding: "host:port" to forward to when the host is unknown and ALLOW_ANY applies.</summary>
    public string? PassthroughAuthority { get; init; }

    /// <summary>
    /// Listeners a feature routes for (gateway listeners: Mesh.Proxy.Gateway): finds the virtual
    /// host itself. Null for the sidecar's listeners, which Core routes.
    /// </summary>
    public IVirtualHostSelector? Selector { get; init; }

    /// <summary>Outbound capture: the services of the snapshot's service addresses (a request whose Host names none).</summary>
    internal CaptureTable? Capture { get; init; }

    /// <summary>HTTP_PROXY catch-all and outbound capture: virtual hosts by service port, then by Host.</summary>
    public FrozenDictionary<int, DomainTable>? HostsByPort { get; init; }
}
