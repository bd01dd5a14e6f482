using System.Net.Security;
using System.Net.Sockets;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// A connection forwarded at L4 whose TLS the proxy terminated itself (<see cref="TlsDetectingStage"/>):
/// the TLS stream (read and write the plaintext through it) and the socket under it. Its writes go
/// straight to the socket, so once a write returned, a <c>shutdown(SHUT_WR)</c> of the socket
/// follows the bytes (a half-close without a TLS close_notify, which could race a pending read).
/// </summary>
public sealed class NetworkTlsFeature(SslStream stream, Socket? socket, string? serverName)
{
    public SslStream Stream { get; } = stream;

    /// <summary>Null on transports without a socket.</summary>
    public Socket? Socket { get; } = socket;

    /// <summary>The SNI the client sent (null without one).</summary>
    public string? ServerName { get; } = serverName;
}
