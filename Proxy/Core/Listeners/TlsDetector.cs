using System.IO.Pipelines;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>What a connection's first bytes say, read without consuming them.</summary>
public readonly record struct ConnectionInspection(FirstBytes Kind, TlsClientHello? Hello)
{
    public static ConnectionInspection Closed { get; } = new(FirstBytes.Closed, null);

    public static ConnectionInspection Plaintext { get; } = new(FirstBytes.Plaintext, null);
}

public enum FirstBytes
{
    /// <summary>The peer closed (or sent nothing in time) before its first byte.</summary>
    Closed,

    /// <summary>Not a TLS handshake record.</summary>
    Plaintext,

    /// <summary>A TLS handshake record; <see cref="ConnectionInspection.Hello"/> holds the ClientHello when it was read (null when it was not asked for).</summary>
    Tls,

    /// <summary>Starts like TLS but is not a well-formed ClientHello (within the size limit).</summary>
    MalformedTls,
}

/// <summary>
/// Tells a TLS connection from a plaintext one by its first byte without consuming it, as Envoy's
/// tls_inspector does: a TLS ClientHello starts with a handshake record (0x16); an HTTP/1.x
/// request starts with a method's letter and an HTTP/2 preface with "PRI". When asked, it also
/// reads the whole ClientHello for its SNI and ALPN (<see cref="ClientHelloReader"/>).
/// </summary>
public static class TlsDetector
{
    private const byte HandshakeRecord = 0x16;

    public static async ValueTask<ConnectionInspection> InspectAsync(PipeReader input, bool readClientHello, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.IsEmpty)
            {
                input.AdvanceTo(buffer.Start);
                return ConnectionInspection.Closed;
            }

            if (buffer.FirstSpan[0] != HandshakeRecord)
            {
                // Nothing consumed or examined: the next reader sees the same bytes at once.
                input.AdvanceTo(buffer.Start, buffer.Start);
                return ConnectionInspection.Plaintext;
            }

            if (!readClientHello)
            {
                input.AdvanceTo(buffer.Start, buffer.Start);
                return new ConnectionInspection(FirstBytes.Tls, null);
            }

            switch (ClientHelloReader.TryRead(buffer, out var hello))
            {
                case ClientHelloReader.HelloParse.Complete:
                    input.AdvanceTo(buffer.Start, buffer.Start);
                    return new ConnectionInspection(FirstBytes.Tls, hello);
                case ClientHelloReader.HelloParse.Invalid:
                    input.AdvanceTo(buffer.Start, buffer.Start);
                    return new ConnectionInspection(FirstBytes.MalformedTls, null);
                default:
                    if (result.IsCompleted)
                    {
                        input.AdvanceTo(buffer.Start, buffer.Start);
                        return new ConnectionInspection(FirstBytes.MalformedTls, null);
                    }

                    // Examined everything: the next read waits for more bytes.
                    input.AdvanceTo(buffer.Start, buffer.End);
                    break;
            }
        }
    }
}
