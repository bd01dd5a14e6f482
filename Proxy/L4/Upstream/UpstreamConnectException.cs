namespace Mesh.Proxy.L4.Upstream;

/// <summary>The upstream could not be connected (refused, unreachable, timed out, DNS, TLS handshake); Envoy's UF.</summary>
internal sealed class UpstreamConnectException(string reason, Exception? inner = null) : Exception(reason, inner)
{
    public string Reason { get; } = reason;
}
