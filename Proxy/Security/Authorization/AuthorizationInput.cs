using System.Net;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Security.Jwt;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// The attributes of one inbound request that authorization looks at (Istio's source.*, request.*,
/// destination.*, connection.*), read lazily from the request so unused ones cost nothing. For a
/// TCP connection there is no request: only policies compiled for TCP (without request attributes)
/// are evaluated against it.
/// </summary>
internal readonly ref struct AuthorizationInput
{
    private readonly ConnectionContext? _connection;

    public AuthorizationInput(HttpContext context, MeshListener listener, MeshPeerIdentityFeature? peer, JwtPrincipal? user)
    {
        Context = context;
        Listener = listener;
        Peer = peer;
        User = user;
    }

    /// <summary>A TCP connection (TcpAuthorizationRules-compiled policies only).</summary>
    public AuthorizationInput(ConnectionContext connection, MeshListener listener, MeshPeerIdentityFeature? peer)
    {
        _connection = connection;
        Context = null!;
        Listener = listener;
        Peer = peer;
        User = null;
    }

    /// <summary>The request (null for a TCP connection; request attributes are compiled out for those).</summary>
    public HttpContext Context { get; }

    public MeshListener Listener { get; }

    /// <summary>The mTLS peer; null on plaintext connections.</summary>
    public MeshPeerIdentityFeature? Peer { get; }

    /// <summary>The verified JWT; null without one.</summary>
    public JwtPrincipal? User { get; }

    /// <summary>source.principal: <c>cluster.local/ns/default/sa/productpage</c>.</summary>
    public string? SourcePrincipal => Peer?.Identity.Principal;

    public string? SourceNamespace => Peer?.Identity.Namespace;

    /// <summary>source.ip: the address of the connection's peer.</summary>
    public IPAddress? SourceIp => _connection is null ? Context.Connection.RemoteIpAddress : (_connection.RemoteEndPoint as IPEndPoint)?.Address;

    /// <summary>
    /// remote.ip: the original client as Envoy's HTTP connection manager determines it for a
    /// sidecar (no trusted hops): the last X-Forwarded-For address, else the connection's peer.
    /// </summary>
    public IPAddress? RemoteIp
    {
        get
        {
            if (_connection is not null)
            {
                return SourceIp;
            }

            var forwarded = Context.Request.Headers["x-forwarded-for"];
            if (forwarded.Count > 0 && forwarded[^1] is { } last)
            {
                var comma = last.LastIndexOf(',');
                if (IPAddress.TryParse(last.AsSpan(comma + 1).Trim(), out var address))
                {
                    return address;
                }
            }

            return SourceIp;
        }
    }

    public IPAddress? DestinationIp => _connection is null ? Context.Connection.LocalIpAddress : (_connection.LocalEndPoint as IPEndPoint)?.Address;

    /// <summary>
    /// destination.port: the workload's port, as in Istio; the service port also counts, because
    /// outside Kubernetes apps listen on allocated ports while policies name the service port. At a
    /// gateway: the listener's port or a Gateway server port it serves.
    /// </summary>
    public bool DestinationPortIs(int port) => Listener.Kind == ListenerKind.Gateway
        ? port == Listener.BoundPort || Listener.GatewayPorts.Contains(port)
        : port == Listener.TargetPort || port == Listener.ServicePort;

    public bool DestinationPortIsAny(int[] ports)
    {
        foreach (var port in ports)
        {
            if (DestinationPortIs(port))
            {
                return true;
            }
        }

        return false;
    }
}
