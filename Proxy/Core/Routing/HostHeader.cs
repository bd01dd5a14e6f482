namespace Mesh.Proxy.Core.Routing;

/// <summary>Splits an authority ("host", "host:port", "[v6]:port") without allocating.</summary>
public static class HostHeader
{
    /// <summary>Returns the host part; <paramref name="port"/> is -1 when the authority has no valid port.</summary>
    public static ReadOnlySpan<char> Split(ReadOnlySpan<char> authority, out int port)
    {
        port = -1;
        if (authority.IsEmpty)
        {
            return authority;
        }

        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return authority;
            }

            var rest = authority[(close + 1)..];
            if (rest.Length > 1 && rest[0] == ':' && int.TryParse(rest[1..], System.Globalization.NumberStyles.None, null, out var v6Port))
            {
                port = v6Port;
            }

            return authority[..(close + 1)];
        }

        var colon = authority.LastIndexOf(':');
        if (colon < 0)
        {
            return authority;
        }

        if (authority[(colon + 1)..] is var portText && int.TryParse(portText, System.Globalization.NumberStyles.None, null, out var parsed) && parsed <= 65535)
        {
            port = parsed;
        }

        return authority[..colon];
    }
}
