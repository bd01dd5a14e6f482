using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Gateway;

/// <summary>The request-time half of gateway routing: the virtual host for the request's Host on its connection's server(s).</summary>
internal static class GatewayHostResolver
{
    /// <summary>
    /// The virtual host, or null (404). <paramref name="abort"/> is set when the connection must
    /// be closed instead: its server now requires a client certificate the connection never
    /// presented (Envoy would have drained it with the old listener).
    /// </summary>
    public static VirtualHostModel? Find(HttpContext context, GatewayListenerRoutes gateway, out bool abort)
    {
        abort = false;
        var host = HostHeader.Split(context.Request.Host.Value, out _);
        if (context.Features.Get<GatewayConnectionFeature>() is not { } connection)
        {
            return gateway.PlaintextHosts.Find(host);
        }

        if (!gateway.TlsHosts.TryGetValue(connection.ServerName, out var server))
        {
            return null;
        }

        if (connection.ClientCertificate is null && server.Server.Tls is { RequiresClientCertificate: true })
        {
            abort = true;
            return null;
        }

        return server.Hosts.Find(host);
    }
}
