using System.Net;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>Refuses passthrough to the proxy's own listeners, which would loop until sockets run out.</summary>
internal static class PassthroughLoopGuard
{
    /// <summary>Whether <paramref name="authority"/> names one of the listeners (loopback or the bind address, at a bound port).</summary>
    public static bool IsOwnListener(ListenerSet listeners, string authority)
    {
        var host = HostHeader.Split(authority, out var port);
        if (port < 0)
        {
            return false;
        }

        var isLocalName = host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        IPAddress? address = null;
        if (!isLocalName && !IPAddress.TryParse(host.Trim("[]"), out address))
        {
            return false;
        }

        foreach (var listener in listeners.All)
        {
            if (listener.BoundPort == port
                && (isLocalName || IPAddress.IsLoopback(address!) || listener.BindAddress.Equals(address)))
            {
                return true;
            }
        }

        return false;
    }
}
