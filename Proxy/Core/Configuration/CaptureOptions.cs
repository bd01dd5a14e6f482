namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// Sidecar: transparent capture (docs/capture.md). With <see cref="Enabled"/>, the sidecar listens
/// on the ports the capture rules redirect to and routes each connection by its original destination.
/// </summary>
public sealed class CaptureOptions
{
    /// <summary>Open the capture listeners (the rules themselves are installed by <c>Mesh.Sidecar capture install</c>).</summary>
    public bool Enabled { get; set; }

    /// <summary>Where outbound TCP is redirected (istio-iptables' -p); bound on 127.0.0.1.</summary>
    public int OutboundPort { get; set; } = 15001;

    /// <summary>Where inbound TCP is redirected (istio-iptables' -z); bound on 0.0.0.0.</summary>
    public int InboundPort { get; set; } = 15006;

    /// <summary>
    /// Also listen where the IPv6 rules (ip6tables) redirect: <c>[::1]</c> on the outbound port and
    /// <c>[::]</c> (IPv6 only) on the inbound port — when the host has an IPv6 loopback and the ports
    /// are fixed. False: IPv4 only (with <c>capture install --ipv6=false</c>).
    /// </summary>
    public bool IPv6 { get; set; } = true;
}
