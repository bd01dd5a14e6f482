using System.Buffers.Text;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// Reads an upstream's HTTP/1.1 response head (RFC 9112 §4–6): the status line, interim 1xx
/// responses (skipped), the header fields into an <see cref="HttpResponseMessage"/>, and how the
/// body is framed. Malformed heads are errors (<see cref="HttpRequestError.InvalidResponse"/>), as
/// HttpClient reports them; nothing is guessed.
/// </summary>
internal static class Http1ResponseParser
{
    // Names most responses carry: one string each instead of one per response.
    private static readonly string[] KnownNames =
    [
        "Date", "Server", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
        "Cache-Control", "ETag", "Last-Modified", "Vary", "Location", "Set-Cookie", "Expires", "Content-Encoding",
        "Accept-Ranges", "Age", "Pragma", "Trailer", "x-envoy-upstream-service-time", "x-request-id",
        "x-envoy-peer-metadata", "x-envoy-peer-metadata-id", "grpc-status", "grpc-message",
    ];

    private static readonly string[] KnownValues = ["chunked", "close", "keep-alive", "text/plain", "application/json", "text/html", "0", "Kestrel", "nginx", "bytes", "no-cache"];

    public readonly record struct Head(HttpResponseMessage Response, Http1BodyFraming Framing, long ContentLength, bool Reusable);

    /// <summary>
    /// Reads the final response head. The connection's <see cref="Http1Connection.ResponseStarted"/> is
    /// set once any response byte arrived (a stale pooled connection fails before that).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<Head> ReadHeadAsync(Http1Connection connection, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (connection.Buffered == 0 && !await connection.FillAsync(cancellationToken))
            {
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The upstream closed the connection before sending a response.");
            }

            connection.ResponseStarted = true;
            var statusLine = await connection.ReadLineAsync(cancellationToken) ?? throw Ended();
            var (status, minor, reason) = ParseStatusLine(connection.Slice(statusLine.Start, statusLine.Length));
            if (status is >= 100 and < 200)
            {
                if (status == 101)
                {
                    // The mesh client never asks for an upgrade (those requests go through HttpClient).
                    throw Invalid("101 Switching Protocols to a request that asked for no upgrade");
                }

                // 100 Continue, 103 Early Hints, …: interim; the final response follows (RFC 9110 §15.2).
                while ((await connection.ReadLineAsync(cancellationToken) ?? throw Ended()).Length != 0)
                {
                }

                continue;
            }

            return await ReadFieldsAsync(connection, request, status, minor, reason, cancellationToken);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Head> ReadFieldsAsync(Http1Connection connection, HttpRequestMessage request, int status, int minor, string? reason, CancellationToken cancellationToken)
    {
        var content = new Http1ResponseContent();
        var response = new HttpResponseMessage((HttpStatusCode)status) { Version = HttpVersion.Version11, RequestMessage = request, Content = content };
        if (reason is not null)
        {
            response.ReasonPhrase = reason;
        }

        long contentLength = -1;
        var chunked = false;
        var transferEncoding = false;
        var close = minor == 0;
        while (true)
        {
            var line = await connection.ReadLineAsync(cancellationToken) ?? throw Ended();
            if (line.Length == 0)
            {
                break;
            }

            var (name, value) = ParseField(connection.Slice(line.Start, line.Length));
            if (ReferenceEquals(name, "Content-Length"))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
                    || (contentLength >= 0 && contentLength != length))
                {
                    throw Invalid($"Content-Length '{value}'");
                }

                contentLength = length;
            }
            else if (ReferenceEquals(name, "Transfer-Encoding"))
            {
                transferEncoding = true;
                chunked = value.AsSpan().TrimEnd(" \t").EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (ReferenceEquals(name, "Connection"))
            {
                close |= value.Contains("close", StringComparison.OrdinalIgnoreCase);
                if (minor == 0 && value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase))
                {
                    close = false;
                }
            }

            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var noBody = status is 204 or 304 || request.Method == HttpMethod.Head;
        var framing = noBody ? Http1BodyFraming.None
            : transferEncoding ? (chunked ? Http1BodyFraming.Chunked : Http1BodyFraming.CloseDelimited)
            : contentLength == 0 ? Http1BodyFraming.None
            : contentLength > 0 ? Http1BodyFraming.ContentLength
            : Http1BodyFraming.CloseDelimited;

        // Both framings at once is a smuggling vector: Transfer-Encoding wins and the connection is not reused (RFC 9112 §6.3).
        var reusable = !close && !(transferEncoding && contentLength >= 0) && request.Headers.ConnectionClose != true;
        return new Head(response, framing, contentLength, reusable);
    }

    private static (int Status, int Minor, string? Reason) ParseStatusLine(ReadOnlySpan<byte> line)
    {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != ' '
            || !Utf8Parser.TryParse(line.Slice(9, 3), out int status, out var consumed) || consumed != 3 || status < 100
            || (line.Length > 12 && line[12] != ' '))
        {
            throw Invalid("status line");
        }

        var reason = line.Length > 13 ? line[13..] : default;
        return (status, line[7] - '0', reason.IsEmpty || IsDefaultReason(status, reason) ? null : Http1Connection.Latin1(reason));
    }

    private static bool IsDefaultReason(int status, ReadOnlySpan<byte> reason)
    {
        var known = ReasonPhrases(status);
        return known.Length == reason.Length && Ascii.Equals(reason, known);
    }

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    /// <summary>One <c>name: value</c> field line (RFC 9112 §5): no whitespace before the colon, no line folding.</summary>
    public static (string Name, string Value) ParseField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        var nameBytes = colon > 0 ? line[..colon] : default;
        if (nameBytes.IsEmpty || nameBytes.IndexOfAny(" \t"u8) >= 0)
        {
            throw Invalid("header field line");
        }

        var valueBytes = line[(colon + 1)..].Trim(" \t"u8);
        if (valueBytes.IndexOfAny((byte)'\r', (byte)'\0') >= 0)
        {
            throw Invalid("header field value");
        }

        return (Known(KnownNames, nameBytes, ignoreCase: true) ?? Http1Connection.Latin1(nameBytes), Known(KnownValues, valueBytes, ignoreCase: false) ?? Http1Connection.Latin1(valueBytes));
    }

    private static string? Known(string[] known, ReadOnlySpan<byte> bytes, bool ignoreCase)
    {
        foreach (var candidate in known)
        {
            if (candidate.Length == bytes.Length && (ignoreCase ? Ascii.EqualsIgnoreCase(bytes, candidate) : Ascii.Equals(bytes, candidate)))
            {
                return candidate;
            }
        }

        return null;
    }

    private static HttpRequestException Ended() => new(HttpRequestError.ResponseEnded, "The upstream closed the connection before the response head ended.");

    private static HttpRequestException Invalid(string what) => new(HttpRequestError.InvalidResponse, $"The upstream's response is malformed: {what}.");
}
