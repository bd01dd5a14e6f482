using System.Net;

namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// Sidecar: the DNS proxy (docs/capture.md §4), served by the sidecar's DNS feature. With
/// <see cref="Enabled"/> the sidecar asks the control plane for the services' addresses and answers
/// DNS on <see cref="BindAddress"/>:<see cref="Port"/> (UDP and TCP).
/// </summary>
public sealed class DnsProxyOptions
{
    public bool Enabled { get; set; }

    /// <summary>Where capture's <c>--redirect-dns</c> sends the app's queries: 127.0.0.1.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>Capture's <c>--dns-capture-port</c>; 0 = any free port.</summary>
    public int Port { get; set; } = 15053;

    /// <summary>
    /// Also listen on <c>[::1]</c> (same port), where the ip6tables rules of <c>--redirect-dns</c>
    /// send IPv6 queries — when <see cref="BindAddress"/> is 127.0.0.1, the port fixed and the host
    /// has an IPv6 loopback.
    /// </summary>
    public bool IPv6 { get; set; } = true;

    /// <summary>Resolvers for names outside the mesh (<c>ip</c> or <c>ip:port</c>, tried in order); empty = the nameservers of <see cref="ResolvConf"/>.</summary>
    public List<string> Upstream { get; set; } = [];

    /// <summary>The host's resolver configuration: upstream nameservers (unless <see cref="Upstream"/>) and search domains.</summary>
    public string ResolvConf { get; set; } = "/etc/resolv.conf";

    /// <summary>The mesh's DNS domain: mesh services are <c>name.namespace.svc.&lt;domain&gt;</c>; other names in it are NXDOMAIN.</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>How long one upstream resolver has to answer before the next is asked.</summary>
    public int UpstreamTimeoutMs { get; set; } = 5000;

    /// <summary>An upstream resolver of <see cref="Upstream"/>: <c>10.0.0.2</c>, <c>10.0.0.2:5353</c>, <c>[fd00::53]:53</c> (port 53 by default).</summary>
    public static IPEndPoint ParseUpstream(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IPAddress.TryParse(text, out var address))
        {
            return new IPEndPoint(address, 53);
        }

        return IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port != 0
            ? endPoint
            : throw new FormatException($"'{text}' is not an IP address or address:port");
    }
}
