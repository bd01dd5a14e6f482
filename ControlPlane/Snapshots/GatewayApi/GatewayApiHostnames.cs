namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The Gateway API's hostname rules: a listener hostname and a route hostname match when equal or
/// when a wildcard (<c>*.example.com</c>, which needs at least one more label) covers the other;
/// their intersection is the more specific of the two. No hostname means any.
/// </summary>
internal static class GatewayApiHostnames
{
    public static bool Covers(string pattern, string host)
    {
        if (pattern == "*" || string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = pattern[1..];
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[1..] : host;
        return name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && name.Length > suffix.Length;
    }

    /// <summary>The names both admit: the narrower of two overlapping names, or null.</summary>
    public static string? Intersect(string listener, string route) =>
        Covers(listener, route) ? route : Covers(route, listener) ? listener : null;
}
