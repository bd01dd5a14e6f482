using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.L4.PeerMetadata;

/// <summary>
/// The TCP peer metadata exchange (Istio's istio-peer-exchange, simplified): on a mesh mTLS
/// connection whose ALPN settled on <c>istio-peer-exchange</c>, the client's first bytes are one
/// frame — magic <c>MXP1</c>, a 2-byte big-endian length, and the same text the HTTP metadata header
/// carries (<c>workload=…;namespace=…;app=…;version=…</c>). The destination reads it for its
/// <c>source_*</c> labels and removes it; the app never sees it. It is a label, not an identity:
/// principals come only from the certificate.
/// </summary>
internal static class PeerMetadataPreamble
{
    public const string Alpn = "istio-peer-exchange";
    public const int MaxLength = 512;
    private static readonly byte[] Magic = "MXP1"u8.ToArray();

    /// <summary>This proxy's own metadata text.</summary>
    public static string Describe(NodeOptions node)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add($"{key}={value}");
            }
        }

        Add("workload", node.Workload);
        Add("namespace", node.Namespace);
        Add("app", node.Labels.GetValueOrDefault("app"));
        Add("version", node.Labels.GetValueOrDefault("version"));
        return string.Join(';', parts);
    }

    public static byte[] Encode(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        if (payload.Length > MaxLength)
        {
            payload = payload[..MaxLength];
        }

        var frame = new byte[Magic.Length + 2 + payload.Length];
        Magic.CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Magic.Length), (ushort)payload.Length);
        payload.CopyTo(frame, Magic.Length + 2);
        return frame;
    }

    /// <summary>Reads and consumes the frame; null (nothing consumed) when the bytes are not one.</summary>
    public static async ValueTask<string?> ReadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        var prefix = new byte[Magic.Length + 2];
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var header = Magic.Length + 2;
            if (buffer.Length >= header)
            {
                buffer.Slice(0, header).CopyTo(prefix);
                var length = BinaryPrimitives.ReadUInt16BigEndian(prefix.AsSpan(Magic.Length));
                if (!prefix.AsSpan(0, Magic.Length).SequenceEqual(Magic) || length > MaxLength)
                {
                    input.AdvanceTo(buffer.Start, buffer.Start);
                    return null;
                }

                if (buffer.Length >= header + length)
                {
                    var text = Encoding.UTF8.GetString(buffer.Slice(header, length));
                    input.AdvanceTo(buffer.GetPosition(header + length));
                    return text;
                }
            }

            if (result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.Start);
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
