using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Translation;

/// <summary>How Core treats snapshot clusters, for features that reason about them the same way.</summary>
public static class ClusterConventions
{
    /// <summary>Whether HTTP routes can send traffic to a cluster of this protocol (TCP and HTTPS clusters are L4).</summary>
    public static bool IsHttpRoutable(Protocol protocol) => protocol is Protocol.Unspecified or Protocol.Http or Protocol.Http2 or Protocol.Grpc;

    /// <summary>An endpoint's authority as its YARP destination is named: "host:port", IPv6 hosts in brackets.</summary>
    public static string FormatAuthority(string address, uint port)
    {
        var host = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 && !address.StartsWith('[')
            ? $"[{address}]"
            : address;
        return string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
    }
}
