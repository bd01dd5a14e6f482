using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Connections;

namespace Mesh.Proxy.Core.Network;

/// <summary>
/// What is known about one connection the L4 proxy serves (Envoy's StreamInfo of a tcp_proxy
/// connection): where it came from, which filter chain and cluster took it, which endpoint it
/// reached, how many bytes went each way and why it ended. The L4 proxy fills it in; network
/// filters and <see cref="ITcpSessionObserver"/>s read it. Byte counters are updated while the
/// connection runs and may be read at any time.
/// </summary>
public sealed class TcpProxySession
{
    private long _bytesReceived;
    private long _bytesSent;

    public TcpProxySession(ConnectionContext connection, MeshListener listener, RoutingModel? model, DateTimeOffset startTime, long startTimestamp)
    {
        Connection = connection;
        Listener = listener;
        Model = model;
        StartTime = startTime;
        StartTimestamp = startTimestamp;
    }

    public ConnectionContext Connection { get; }

    public MeshListener Listener { get; }

    /// <summary>The snapshot the connection was routed with (null before the first snapshot).</summary>
    public RoutingModel? Model { get; }

    public DateTimeOffset StartTime { get; }

    /// <summary>TimeProvider timestamp of the start.</summary>
    public long StartTimestamp { get; }

    /// <summary>TimeProvider timestamp of the end (0 while open).</summary>
    public long EndTimestamp { get; set; }

    /// <summary>True for the destination side (a sidecar's inbound listener): the app is the upstream.</summary>
    public bool IsInbound => Listener.Kind == ListenerKind.Inbound;

    /// <summary>The caller's verified mesh identity (mTLS), else null.</summary>
    public MeshPeerIdentityFeature? Peer { get; set; }

    /// <summary>The caller's peer metadata (<c>workload=…;namespace=…;app=…;version=…</c>) from the TCP metadata exchange, else null.</summary>
    public string? PeerMetadata { get; set; }

    /// <summary>The TLS server name the client sent (passthrough, or TLS the proxy terminated), else null.</summary>
    public string? RequestedServerName { get; set; }

    /// <summary>Gateway: the server (gateway_servers[].name) the connection belongs to.</summary>
    public string? GatewayServer { get; set; }

    public string? FilterChain { get; set; }

    /// <summary><c>&lt;name&gt;.&lt;namespace&gt;</c> of the VirtualService whose rule took the connection.</summary>
    public string? VirtualService { get; set; }

    public string? ClusterName { get; set; }

    /// <summary>The destination service (FQDN or ServiceEntry host), the host for passthrough.</summary>
    public string? Service { get; set; }

    public int ServicePort { get; set; }

    /// <summary>The endpoint dialled (its snapshot metadata: workload, namespace, labels, identity), else null.</summary>
    public Endpoint? UpstreamEndpoint { get; set; }

    /// <summary><c>address:port</c> actually connected to (also for passthrough and the local app).</summary>
    public string? UpstreamAddress { get; set; }

    /// <summary>The upstream connection is mesh mTLS (the destination's identity was verified).</summary>
    public bool UpstreamMtls { get; set; }

    /// <summary>The destination is outside the mesh (ServiceEntry MESH_EXTERNAL, passthrough).</summary>
    public bool External { get; set; }

    public ResponseFlags Flags { get; set; }

    /// <summary>Why the proxy closed or refused the connection (for logs), null when a peer ended it.</summary>
    public string? CloseReason { get; set; }

    /// <summary>Bytes received from the downstream (the caller).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes sent to the downstream.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public void AddReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    public void AddSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);
}
