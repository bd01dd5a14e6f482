using System.Collections.Frozen;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Gateway;

/// <summary>
/// How one gateway listener finds virtual hosts under one snapshot (its
/// <see cref="IVirtualHostSelector"/>). A plaintext connection sees only the virtual hosts of
/// plaintext servers; a TLS connection only those of the server its SNI selected (Istio gives
/// each TLS server its own route table), so a MUTUAL server's routes are never reachable without
/// its client certificate. A plaintext request to a virtual host of an httpsRedirect server gets
/// the redirect (Envoy's require_tls).
/// </summary>
internal sealed class GatewayListenerRoutes : IVirtualHostSelector
{
    public static GatewayListenerRoutes Empty { get; } = new();

    /// <summary>Virtual hosts of the plaintext servers on the listener's ports, by Host.</summary>
    public DomainTable PlaintextHosts { get; init; } = DomainTable.Empty;

    /// <summary>Each TLS server and its virtual hosts by server name (a connection keeps its server's name across snapshots).</summary>
    public FrozenDictionary<string, GatewayServerRoutes> TlsHosts { get; init; } = FrozenDictionary<string, GatewayServerRoutes>.Empty;

    /// <summary>The TLS servers on the listener's ports (terminated and passed through), by SNI.</summary>
    public SniTable TlsServers { get; init; } = SniTable.Empty;

    /// <summary>The TCP server that takes the listener's plaintext connections (and TLS no TLS server claims), if any.</summary>
    public GatewayServerModel? TcpServer { get; init; }

    /// <summary>
    /// The port an https redirect names when the request named a port: the gateway listener
    /// serving TLS (null: none; the Host is kept as it is, as Envoy does).
    /// </summary>
    public int? HttpsPort { get; init; }

    public VirtualHostSelection Select(HttpContext context, out VirtualHostModel? virtualHost)
    {
        virtualHost = GatewayHostResolver.Find(context, this, out var abort);
        if (virtualHost is null)
        {
            return abort ? VirtualHostSelection.CloseConnection : VirtualHostSelection.NotFound;
        }

        if (virtualHost.RequireTls && !context.Request.IsHttps)
        {
            HttpsRedirectReply.Write(context, this);
            return VirtualHostSelection.Answered;
        }

        return VirtualHostSelection.Found;
    }
}
