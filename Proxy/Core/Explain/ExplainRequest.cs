using System.Text.Json;

namespace Mesh.Proxy.Core.Explain;

/// <summary>
/// What <c>POST /explain</c> is asked: a request as the app (outbound) or a caller's sidecar
/// (inbound) would send it to this proxy. JSON:
/// <c>{"method":"GET","url":"http://reviews:9080/reviews/0","headers":[{"name":"end-user","value":"jason"}],
/// "direction":"outbound"}</c>; inbound adds <c>"source_principal"</c> (the caller's mTLS identity,
/// <c>cluster.local/ns/default/sa/bookinfo-productpage</c>; absent: a plaintext caller).
/// </summary>
internal sealed record ExplainRequest(string Method, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, bool Inbound, string? SourcePrincipal)
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Parses the JSON body; a problem is an <see cref="ExplainInputException"/> naming the field.</summary>
    public static ExplainRequest Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw new ExplainInputException($"the body is not JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ExplainInputException("the body must be a JSON object");
            }

            var method = OptionalString(root, "method") ?? "GET";
            if (method.Length == 0 || method.Any(c => !char.IsAsciiLetter(c)))
            {
                throw new ExplainInputException($"method: '{method}' is not an HTTP method");
            }

            var url = OptionalString(root, "url") ?? throw new ExplainInputException("url: required (e.g. http://reviews:9080/reviews/0)");
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw new ExplainInputException($"url: '{url}' is not an absolute http(s) URL");
            }

            var direction = OptionalString(root, "direction") ?? "outbound";
            if (direction is not ("outbound" or "inbound"))
            {
                throw new ExplainInputException($"direction: '{direction}' must be outbound or inbound");
            }

            return new ExplainRequest(method.ToUpperInvariant(), uri, ReadHeaders(root), direction == "inbound", OptionalString(root, "source_principal"));
        }
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(JsonElement root)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!root.TryGetProperty("headers", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return headers;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new ExplainInputException("headers: must be an array of {\"name\", \"value\"}");
        }

        var i = 0;
        foreach (var header in list.EnumerateArray())
        {
            var name = header.ValueKind == JsonValueKind.Object ? OptionalString(header, "name") : null;
            var value = header.ValueKind == JsonValueKind.Object ? OptionalString(header, "value") : null;
            if (string.IsNullOrWhiteSpace(name) || value is null || name.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                throw new ExplainInputException($"headers[{i}]: needs a header name and a string value");
            }

            headers.Add(new(name.ToLowerInvariant(), value));
            i++;
        }

        return headers;
    }

    private static string? OptionalString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new ExplainInputException($"{name}: must be a string");
    }
}

/// <summary>An explain request the proxy cannot explain (400 with this message).</summary>
internal sealed class ExplainInputException(string message) : Exception(message);
