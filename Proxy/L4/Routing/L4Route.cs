using Mesh.Proxy.L4.Model;

namespace Mesh.Proxy.L4.Routing;

/// <summary>Where one connection goes: a cluster (through a chain), a host as the caller named it (passthrough), or nowhere and why.</summary>
internal readonly record struct L4Route(L4FilterChain? Chain, L4Cluster? Cluster, string? PassthroughHost, int PassthroughPort, string? Failure)
{
    public static L4Route Refused(string reason) => new(null, null, null, 0, reason);
}
