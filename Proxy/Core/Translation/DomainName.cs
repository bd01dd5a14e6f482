using System.Globalization;

namespace Mesh.Proxy.Core.Translation;

/// <summary>A virtual host domain split into host and optional port ("reviews:9080", "*.example.com", "host:*").</summary>
public readonly record struct DomainName(string Host, int? Port, string Text)
{
    /// <summary>Parses and validates a domain; returns false with a reason when it cannot be served.</summary>
    public static bool TryParse(string text, out DomainName domain, out string? error)
    {
        domain = default;
        error = null;
        var value = text.Trim().ToLowerInvariant();
        if (value.Length == 0)
        {
            error = "empty domain";
            return false;
        }

        string host = value;
        int? port = null;
        var colon = value.StartsWith('[') ? value.IndexOf("]:", StringComparison.Ordinal) + 1 : value.LastIndexOf(':');
        if (colon > 0 && (value.StartsWith('[') || value.IndexOf(':') == colon))
        {
            host = value[..colon];
            var portText = value[(colon + 1)..];
            if (portText != "*")
            {
                if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 1 or > 65535)
                {
                    error = $"'{text}' has an invalid port";
                    return false;
                }

                port = parsed;
            }
        }

        if (host != "*")
        {
            var star = host.IndexOf('*');
            if (star >= 0 && (host.Length == 1 || (star != 0 && star != host.Length - 1) || host.IndexOf('*', star + 1) >= 0))
            {
                error = $"'{text}': a wildcard must be the whole domain, its first character or its last character";
                return false;
            }
        }

        domain = new DomainName(host, port, text);
        return true;
    }
}
