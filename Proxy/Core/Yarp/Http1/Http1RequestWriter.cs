namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// Writes an upstream request (RFC 9112 §3): the request line from the message's method and URI,
/// its header fields as the route's transforms left them (enumerated without validation, as
/// HttpClient sends them), Host from the URI unless the message has one, and the body framed by
/// its Content-Length or else chunked. Values that would split a header line are refused.
/// </summary>
internal static class Http1RequestWriter
{
    /// <summary>Writes the head into the connection's buffer (not sent yet); returns the body's length, -1 for chunked, null for none.</summary>
    public static long? WriteHead(Http1Connection connection, HttpRequestMessage request, string hostHeader)
    {
        var uri = request.RequestUri!;
        connection.WriteAscii(request.Method.Method);
        connection.WriteBytes(" "u8);
        connection.WriteAscii(uri.PathAndQuery);
        connection.WriteBytes(" HTTP/1.1\r\n"u8);

        var headers = request.Headers.NonValidated;
        if (!headers.Contains("Host"))
        {
            WriteField(connection, "Host", hostHeader);
        }

        foreach (var header in headers)
        {
            // The body's framing is the writer's (below), whatever the incoming request used.
            if (!header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                WriteField(connection, header.Key, header.Value);
            }
        }

        var content = request.Content;
        if (content is null)
        {
            // As HttpClient does: a POST or PUT without content still says it has none.
            if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put)
            {
                connection.WriteBytes("Content-Length: 0\r\n\r\n"u8);
                return null;
            }

            connection.WriteCrLf();
            return null;
        }

        foreach (var header in content.Headers.NonValidated)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                WriteField(connection, header.Key, header.Value);
            }
        }

        var length = content.Headers.ContentLength;
        if (length is { } known)
        {
            connection.WriteBytes("Content-Length: "u8);
            connection.WriteDecimal(known);
            connection.WriteBytes("\r\n\r\n"u8);
            return known;
        }

        connection.WriteBytes("Transfer-Encoding: chunked\r\n\r\n"u8);
        return -1;
    }

    private static void WriteField(Http1Connection connection, string name, System.Net.Http.Headers.HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            WriteField(connection, name, values.ToString());
            return;
        }

        // Several values of one field on one line; Cookie's are joined with "; " (RFC 6265 §5.4).
        var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
        var first = true;
        connection.WriteAscii(name);
        connection.WriteBytes(": "u8);
        foreach (var value in values)
        {
            CheckValue(name, value);
            if (!first)
            {
                connection.WriteAscii(separator);
            }

            connection.WriteAscii(value);
            first = false;
        }

        connection.WriteCrLf();
    }

    private static void WriteField(Http1Connection connection, string name, string value)
    {
        CheckValue(name, value);
        connection.WriteAscii(name);
        connection.WriteBytes(": "u8);
        connection.WriteAscii(value);
        connection.WriteCrLf();
    }

    private static void CheckValue(string name, string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new HttpRequestException($"The request header '{name}' has a value with a line break; not sent.");
        }
    }
}
