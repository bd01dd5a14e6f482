using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Mesh.Proxy.Core.Routing;

/// <summary>
/// One header condition of a route match. <see cref="Invert"/> implements Istio's
/// withoutHeaders: the route matches only when the inner condition does not.
/// </summary>
public sealed class HeaderMatcher
{
    public HeaderMatcher(string name, StringMatcher matcher, bool invert)
    {
        Name = name;
        Matcher = matcher;
        Invert = invert;
    }

    /// <summary>Lower-case header name; pseudo-headers (:authority, :method, :path, :scheme) read the request line.</summary>
    public string Name { get; }

    public StringMatcher Matcher { get; }

    public bool Invert { get; }

    public bool Matches(HttpRequest request)
    {
        var inner = TryGetValue(request, Name, out var value) && Matcher.Matches(value);
        return inner != Invert;
    }

    private static bool TryGetValue(HttpRequest request, string name, out ReadOnlySpan<char> value)
    {
        if (name.Length > 0 && name[0] == ':')
        {
            return TryGetPseudoHeader(request, name, out value);
        }

        if (!request.Headers.TryGetValue(name, out StringValues values))
        {
            value = default;
            return false;
        }

        // Envoy matches repeated headers as one comma-joined value; an empty header is present.
        value = values.Count == 1 ? values[0] : values.ToString();
        return true;
    }

    private static bool TryGetPseudoHeader(HttpRequest request, string name, out ReadOnlySpan<char> value)
    {
        switch (name)
        {
            case ":authority":
                value = request.Host.Value;
                return request.Host.HasValue;
            case ":method":
                value = request.Method;
                return true;
            case ":scheme":
                value = request.Scheme;
                return true;
            case ":path":
                value = request.QueryString.HasValue ? request.Path.Value + request.QueryString.Value : request.Path.Value;
                return true;
            default:
                value = default;
                return false;
        }
    }
}
