using System.Buffers;
using System.Text;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>What a TLS client asked for in its ClientHello: the server name (SNI) and the ALPN protocols it offers.</summary>
public sealed record TlsClientHello(string? ServerName, IReadOnlyList<string> ApplicationProtocols)
{
    public bool Offers(string protocol)
    {
        foreach (var offered in ApplicationProtocols)
        {
            if (offered == protocol)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Reads the SNI and ALPN extensions of a TLS ClientHello from the first bytes of a connection
/// without consuming them, as Envoy's tls_inspector does (RFC 8446 §4.1.2, RFC 6066 §3, RFC
/// 7301): the ClientHello may span several handshake records; at most <see cref="MaxHelloBytes"/>
/// are read. Anything that is not a well-formed ClientHello is <see cref="HelloParse.Invalid"/>.
/// </summary>
internal static class ClientHelloReader
{
    /// <summary>The largest ClientHello read (Envoy's tls_inspector reads up to 64 KiB).</summary>
    public const int MaxHelloBytes = 64 * 1024;

    private const byte HandshakeRecord = 0x16;
    private const byte ClientHelloType = 0x01;
    private const ushort ServerNameExtension = 0;
    private const ushort AlpnExtension = 16;

    public enum HelloParse
    {
        Complete,
        NeedMoreData,
        Invalid,
    }

    public static HelloParse TryRead(ReadOnlySequence<byte> data, out TlsClientHello? hello)
    {
        hello = null;

        // Reassemble the handshake message from consecutive handshake records.
        var handshake = new ArrayBufferWriter<byte>();
        var reader = new SequenceReader<byte>(data);
        var needed = -1;
        while (needed < 0 || handshake.WrittenCount < needed)
        {
            if (reader.Remaining < 5)
            {
                return data.Length >= MaxHelloBytes ? HelloParse.Invalid : HelloParse.NeedMoreData;
            }

            reader.TryRead(out var type);
            reader.TryRead(out var major);
            reader.TryRead(out _);
            reader.TryReadBigEndian(out short length);
            if (type != HandshakeRecord || major != 3 || length <= 0 || length > 16384 + 2048)
            {
                return HelloParse.Invalid;
            }

            if (reader.Remaining < length)
            {
                return data.Length >= MaxHelloBytes ? HelloParse.Invalid : HelloParse.NeedMoreData;
            }

            var fragment = reader.UnreadSequence.Slice(0, length);
            foreach (var segment in fragment)
            {
                handshake.Write(segment.Span);
            }

            reader.Advance(length);
            if (needed < 0 && handshake.WrittenCount >= 4)
            {
                var header = handshake.WrittenSpan;
                if (header[0] != ClientHelloType)
                {
                    return HelloParse.Invalid;
                }

                needed = 4 + ((header[1] << 16) | (header[2] << 8) | header[3]);
                if (needed > MaxHelloBytes)
                {
                    return HelloParse.Invalid;
                }
            }
        }

        return Parse(handshake.WrittenSpan[4..needed], out hello) ? HelloParse.Complete : HelloParse.Invalid;
    }

    private static bool Parse(ReadOnlySpan<byte> body, out TlsClientHello? hello)
    {
        hello = null;
        var position = 2 + 32; // legacy_version, random
        if (!Skip(body, ref position, 1) || !Skip(body, ref position, 2) || !Skip(body, ref position, 1))
        {
            // session id, cipher suites, compression methods (each with its length prefix)
            return false;
        }

        string? serverName = null;
        var protocols = new List<string>();
        if (position == body.Length)
        {
            hello = new TlsClientHello(null, protocols);
            return true;
        }

        if (!TryLength(body, ref position, 2, out var extensionsLength) || position + extensionsLength > body.Length)
        {
            return false;
        }

        var end = position + extensionsLength;
        while (position < end)
        {
            if (!TryLength(body, ref position, 2, out var type) || !TryLength(body, ref position, 2, out var length) || position + length > end)
            {
                return false;
            }

            var extension = body.Slice(position, length);
            position += length;
            if (type == ServerNameExtension && !ReadServerName(extension, out serverName))
            {
                return false;
            }

            if (type == AlpnExtension && !ReadProtocols(extension, protocols))
            {
                return false;
            }
        }

        hello = new TlsClientHello(serverName, protocols);
        return true;
    }

    private static bool ReadServerName(ReadOnlySpan<byte> extension, out string? serverName)
    {
        serverName = null;
        var position = 0;
        if (!TryLength(extension, ref position, 2, out var listLength) || listLength != extension.Length - 2)
        {
            return false;
        }

        while (position < extension.Length)
        {
            var nameType = extension[position++];
            if (!TryLength(extension, ref position, 2, out var length) || position + length > extension.Length)
            {
                return false;
            }

            if (nameType == 0 && serverName is null)
            {
                var name = extension.Slice(position, length);
                foreach (var b in name)
                {
                    if (b is < 0x21 or > 0x7e)
                    {
                        return false;
                    }
                }

                serverName = Encoding.ASCII.GetString(name).TrimEnd('.').ToLowerInvariant();
            }

            position += length;
        }

        return true;
    }

    private static bool ReadProtocols(ReadOnlySpan<byte> extension, List<string> protocols)
    {
        var position = 0;
        if (!TryLength(extension, ref position, 2, out var listLength) || listLength != extension.Length - 2)
        {
            return false;
        }

        while (position < extension.Length)
        {
            var length = extension[position++];
            if (length == 0 || position + length > extension.Length)
            {
                return false;
            }

            protocols.Add(Encoding.ASCII.GetString(extension.Slice(position, length)));
            position += length;
        }

        return true;
    }

    private static bool Skip(ReadOnlySpan<byte> body, ref int position, int prefixBytes) =>
        TryLength(body, ref position, prefixBytes, out var length) && (position += length) <= body.Length;

    private static bool TryLength(ReadOnlySpan<byte> body, ref int position, int bytes, out int value)
    {
        value = 0;
        if (position + bytes > body.Length)
        {
            return false;
        }

        for (var i = 0; i < bytes; i++)
        {
            value = (value << 8) | body[position++];
        }

        return true;
    }
}
