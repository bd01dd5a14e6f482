using System.Net;
using System.Net.Sockets;

namespace Mesh.Sidecar.Capture;

/// <summary>
/// What the capture rules redirect, with istio-iptables' flag names and defaults (docs/capture.md).
/// Ports and CIDR lists are either a wildcard ("*") or explicit entries.
/// </summary>
internal sealed record CaptureSettings
{
    /// <summary>-p / --envoy-port: the sidecar's outbound capture listener.</summary>
    public int OutboundCapturePort { get; init; } = 15001;

    /// <summary>-z / --inbound-capture-port: the sidecar's inbound capture listener.</summary>
    public int InboundCapturePort { get; init; } = 15006;

    /// <summary>--dns-capture-port: the sidecar's DNS proxy (with --redirect-dns).</summary>
    public int DnsCapturePort { get; init; } = 15053;

    /// <summary>-u / --proxy-uid: the proxy's user; its own connections are never captured.</summary>
    public IReadOnlyList<uint> ProxyUids { get; init; } = [1337];

    /// <summary>-g / --proxy-gid: the proxy's group (default: the uids).</summary>
    public IReadOnlyList<uint> ProxyGids { get; init; } = [1337];

    /// <summary>-b / --istio-inbound-ports: inbound ports to capture; "*" all, empty none.</summary>
    public PortList InboundPorts { get; init; } = PortList.All;

    /// <summary>-d / --istio-local-exclude-ports: inbound ports never captured (with "*").</summary>
    public IReadOnlyList<int> InboundExcludePorts { get; init; } = [];

    /// <summary>-i / --istio-service-cidr: outbound destinations to capture; "*" all, empty none.</summary>
    public CidrList OutboundCidrs { get; init; } = CidrList.All;

    /// <summary>-x / --istio-service-exclude-cidr: outbound destinations never captured.</summary>
    public IReadOnlyList<IPNetwork> OutboundExcludeCidrs { get; init; } = [];

    /// <summary>-q / --istio-include-outbound-ports: outbound ports captured even when their destination is not.</summary>
    public IReadOnlyList<int> OutboundIncludePorts { get; init; } = [];

    /// <summary>-o / --istio-local-outbound-ports-exclude: outbound ports never captured.</summary>
    public IReadOnlyList<int> OutboundExcludePorts { get; init; } = [];

    /// <summary>--redirect-dns: DNS (UDP and TCP 53) of every process but the proxy's goes to its DNS proxy.</summary>
    public bool RedirectDns { get; init; }

    /// <summary>
    /// --ipv6: the same rules for IPv6 with ip6tables (Istio's ENABLE_IPV6 capture). Null (the
    /// default): where ip6tables works; true: required; false: IPv4 only.
    /// </summary>
    public bool? IPv6 { get; init; }
}

/// <summary>A list of ports, or every port ("*").</summary>
internal sealed record PortList(bool Wildcard, IReadOnlyList<int> Ports)
{
    public static PortList All { get; } = new(true, []);

    public bool IsEmpty => !Wildcard && Ports.Count == 0;
}

/// <summary>A list of IPv4 and IPv6 networks, or every destination ("*").</summary>
internal sealed record CidrList(bool Wildcard, IReadOnlyList<IPNetwork> Networks)
{
    public static CidrList All { get; } = new(true, []);

    public bool IsEmpty => !Wildcard && Networks.Count == 0;

    /// <summary>The part of the list for one address family (a wildcard stays one).</summary>
    public CidrList Of(AddressFamily family) => Wildcard ? this : new(false, [.. Networks.Where(n => n.BaseAddress.AddressFamily == family)]);
}
