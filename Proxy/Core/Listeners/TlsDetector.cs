using System.IO.Pipelines;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// Tells a TLS connection from a plaintext one by its first byte without consuming it, as Envoy's
/// tls_inspector does: a TLS ClientHello starts with a handshake record (0x16); an HTTP/1.x
/// request starts with a method's letter and an HTTP/2 preface with "PRI".
/// </summary>
internal static class TlsDetector
{
    private const byte HandshakeRecord = 0x16;

    /// <summary>True for TLS, false for plaintext, null when the peer closed before sending anything.</summary>
    public static async ValueTask<bool?> IsTlsAsync(PipeReader input, CancellationToken cancellationToken)
    {
        var result = await input.ReadAsync(cancellationToken);
        var buffer = result.Buffer;
        if (buffer.IsEmpty)
        {
            input.AdvanceTo(buffer.Start);
            return null;
        }

        var first = buffer.FirstSpan[0];

        // Nothing consumed or examined: the next reader (TLS or HTTP) sees the same bytes at once.
        input.AdvanceTo(buffer.Start, buffer.Start);
        return first == HandshakeRecord;
    }
}
