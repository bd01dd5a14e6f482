using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Samples.ExtAuthz;

/// <summary>
/// Istio's HTTP dump of a check request: <c>fmt.Sprintf("%s %s%s, headers: %v, body: [%s]\n",
/// method, host, url, header, body)</c>, with Go's <c>http.Header</c> as Go prints a map:
/// <c>map[Accept:[*/*] X-Ext-Authz:[allow]]</c> (canonical names, sorted, values in brackets).
/// Go's server keeps Host and Transfer-Encoding out of the header map, and Content-Length too
/// when the body is chunked.
/// </summary>
internal static class GoRequestDump
{
    public static string Format(HttpContext context, string body)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        return $"{request.Method} {request.Headers.Host}{target}, headers: {HeaderMap(request.Headers)}, body: [{body}]\n";
    }

    private static string HeaderMap(IHeaderDictionary headers)
    {
        var chunked = headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
        var entries = headers
            .Where(h => !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)
                && !h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                && !(chunked && h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            .Select(h => (Name: GoHeaders.Canonical(h.Key), Values: h.Value))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        var map = new StringBuilder("map[");
        var first = true;
        foreach (var (name, values) in entries)
        {
            if (!first)
            {
                map.Append(' ');
            }

            first = false;
            map.Append(name).Append(":[").AppendJoin(' ', values.AsEnumerable()).Append(']');
        }

        return map.Append(']').ToString();
    }
}
