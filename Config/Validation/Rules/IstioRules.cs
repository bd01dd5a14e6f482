using Mesh.Config.Model;
using System.Net;
using System.Text.RegularExpressions;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;

namespace Mesh.Config.Validation.Rules;

/// <summary>
/// Istio's field-level validation rules (pilot's <c>validation</c> and <c>agent</c> packages),
/// returning Istio's messages; <c>null</c> means valid.
/// </summary>
internal static partial class IstioRules
{
    /// <summary>The protocols Istio knows for ports (case-insensitive, with optional "-suffix" for names).</summary>
    private static readonly HashSet<string> KnownProtocols = new(StringComparer.OrdinalIgnoreCase)
    {
        "HTTP", "HTTPS", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB", "TCP", "TLS", "MONGO", "REDIS", "MYSQL", "UDP",
    };

    public static string? Port(uint? port) =>
        port is >= 1 and <= 65535 ? null : $"port number {port ?? 0} must be in the range 1..65535";

    public static string? Duration(TimeSpan duration) =>
        duration < TimeSpan.FromMilliseconds(1) ? "duration must be greater than 1ms"
        : duration.Ticks % TimeSpan.TicksPerMillisecond != 0 ? "only durations to ms precision are supported"
        : null;

    public static string? Percentage(Percent? percentage) =>
        percentage?.Value is { } value && (value < 0 || value > 100 || (value > 0 && value < 0.0001))
            ? $"percentage {value} is neither 0.0, nor in range [0.0001, 100.0]"
            : null;

    public static string? Percent(int? value) =>
        value is < 0 or > 100 ? $"percentage {value} is not in range 0..100" : null;

    public static bool IsDns1123Label(string value) => value.Length <= 63 && Dns1123Label().IsMatch(value);

    public static bool IsIpAddress(string value) => IPAddress.TryParse(value, out _) && !value.Contains('/');

    /// <summary>Istio's <c>ValidateWildcardDomain</c>: DNS labels, the first may be <c>*</c> or start with <c>*</c>.</summary>
    public static string? WildcardDomain(string? domain)
    {
        if (string.IsNullOrEmpty(domain))
        {
            return "empty domain name not allowed";
        }

        if (domain.Length > 255)
        {
            return $"domain name \"{domain}\" too long (max 255)";
        }

        var dot = domain.IndexOf('.');
        var first = dot < 0 ? domain : domain[..dot];
        // Istio's wildcard label: "*", or a label after "*" or "*-" ("*foo", "*-foo").
        var label = first.StartsWith("*-", StringComparison.Ordinal) ? first[2..] : first.StartsWith('*') ? first[1..] : first;
        if (!(first == "*" || (first.Length <= 63 && IsDns1123Label(label))))
        {
            return $"domain name \"{domain}\" invalid (label \"{first}\" invalid)";
        }

        return dot < 0 ? null : Dns1123Labels(domain, domain[(dot + 1)..]);
    }

    /// <summary>Istio's <c>ValidateFQDN</c>: DNS labels, no wildcard (a trailing dot is allowed).</summary>
    public static string? Fqdn(string? fqdn)
    {
        if (string.IsNullOrEmpty(fqdn))
        {
            return "empty domain name not allowed";
        }

        if (fqdn.Length > 255)
        {
            return $"domain name \"{fqdn}\" too long (max 255)";
        }

        return Dns1123Labels(fqdn, fqdn);
    }

    // Istio's ValidateDNS1123Labels: the last label may be empty ("istio.io."), the top-level
    // domain may not be all digits.
    private static string? Dns1123Labels(string domain, string labels)
    {
        var parts = labels.Split('.');
        if (parts[^1].Length > 0 && parts[^1].All(char.IsAsciiDigit))
        {
            return $"domain name \"{domain}\" invalid (top level domain \"{parts[^1]}\" cannot be all-numeric)";
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (!(i == parts.Length - 1 && parts[i].Length == 0 && i > 0) && !IsDns1123Label(parts[i]))
            {
                return $"domain name \"{domain}\" invalid (label \"{parts[i]}\" invalid)";
            }
        }

        return null;
    }

    /// <summary>An IP address or CIDR block (Istio's <c>ValidateIPSubnet</c>).</summary>
    public static string? IpOrCidr(string value)
    {
        var slash = value.IndexOf('/');
        if (slash < 0)
        {
            return IsIpAddress(value) ? null : $"{value} is not a valid IP";
        }

        return IPNetwork.TryParse(value, out _) ? null : $"{value} is not a valid CIDR block";
    }

    /// <summary>RE2-style regex check (Istio rejects patterns over 1024 characters).</summary>
    public static string? Regex(string pattern)
    {
        if (pattern.Length > 1024)
        {
            return "regex is too large, max length allowed is 1024";
        }

        try
        {
            // The proxies compile with the NonBacktracking engine, which (like RE2) has no
            // backreferences, lookaround or atomic groups: accepting those here would only move
            // the error to a NACK. RE2's named groups (?P<name>...) are .NET's (?<name>...).
            _ = new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return $"invalid regex \"{pattern}\": {ex.Message}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)";
        }
    }

    /// <summary>Istio's <c>validateStringMatch</c>: a oneof of exact/prefix/regex; prefix and regex not empty.</summary>
    public static void StringMatch(StringMatch? match, string path, ValidationContext context)
    {
        if (match is null)
        {
            return;
        }

        var set = (match.Exact is not null ? 1 : 0) + (match.Prefix is not null ? 1 : 0) + (match.Regex is not null ? 1 : 0);
        if (set > 1)
        {
            context.Error(path, "only one of exact, prefix or regex may be set");
        }

        if (match.Prefix is "")
        {
            context.Error($"{path}.prefix", "prefix string match should not be empty");
        }

        if (match.Regex is not null)
        {
            if (match.Regex.Length == 0)
            {
                context.Error($"{path}.regex", "regex string match should not be empty");
            }
            else if (Regex(match.Regex) is { } error)
            {
                context.Error($"{path}.regex", error);
            }
        }
    }

    /// <summary>Kubernetes label keys (optional DNS prefix + "/" + name) and values.</summary>
    public static void Labels(ValueMap<string> labels, string path, ValidationContext context)
    {
        foreach (var (key, value) in labels)
        {
            var slash = key.LastIndexOf('/');
            var name = slash < 0 ? key : key[(slash + 1)..];
            var prefix = slash < 0 ? null : key[..slash];
            if (name.Length is 0 or > 63 || !LabelName().IsMatch(name) || (prefix is not null && Fqdn(prefix) is not null))
            {
                context.Error(FieldPath.Key(path, key), $"invalid label key {FieldPath.Quote(key)}");
            }

            if (value.Length > 63 || (value.Length > 0 && !LabelName().IsMatch(value)))
            {
                context.Error(FieldPath.Key(path, key), $"invalid label value {FieldPath.Quote(value)}");
            }
        }
    }

    /// <summary>Istio's selector rule: no empty keys and no wildcards.</summary>
    public static void Selector(ValueMap<string> labels, string path, ValidationContext context)
    {
        foreach (var (key, value) in labels)
        {
            if (key.Length == 0)
            {
                context.Error(path, $"empty key is not supported in selector: \"{key}={value}\"");
            }

            if (key.Contains('*') || value.Contains('*'))
            {
                context.Error(FieldPath.Key(path, key), $"wildcard is not supported in selector: \"{key}={value}\"");
            }
        }
    }

    /// <summary>Istio's protocol names (<c>HTTP</c>, <c>HTTP2</c>, <c>GRPC</c>, ...).</summary>
    public static bool IsKnownProtocol(string protocol) => KnownProtocols.Contains(protocol);

    /// <summary>Whether Mesh carries the protocol as connections: TCP (MONGO, MYSQL and REDIS are TCP, as Istio treats them) or TLS.</summary>
    public static bool IsL4(string? protocol) =>
        protocol is not null && (protocol.Equals("TCP", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("TLS", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("MONGO", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("MYSQL", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("REDIS", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether Mesh can carry the protocol: it proxies HTTP/1.1, HTTP/2 and gRPC (and TLS-terminated HTTPS).</summary>
    public static bool IsHttpFamily(string? protocol) =>
        protocol is not null && (protocol.Equals("HTTP", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("HTTP2", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("GRPC", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("HTTPS", StringComparison.OrdinalIgnoreCase));

    /// <summary>Header names usable in matches: RFC 7230 tokens, or HTTP/2 pseudo-headers.</summary>
    public static string? MatchHeaderName(string name) =>
        name.Length == 0 ? "header name cannot be empty"
        : name is ":method" or ":scheme" or ":authority" or ":path" or ":status" || HeaderToken().IsMatch(name) ? null
        : $"header name {name} is not a valid header name";

    /// <summary>Header names that may be added, set or removed (no Host, no pseudo-headers).</summary>
    public static string? OperationHeaderName(string name, bool allowAuthority) =>
        name.Length == 0 ? "header name cannot be empty"
        : !allowAuthority && name.Equals("host", StringComparison.OrdinalIgnoreCase) ? $"invalid header \"{name}\": cannot set Host header"
        : name.StartsWith(':') && !(allowAuthority && name == ":authority") ? $"invalid header \"{name}\": header cannot have \":\" prefix"
        : null;

    /// <summary>
    /// Istio's <c>ValidateHTTPHeaderValue</c>: no control characters, and Envoy's header syntax where
    /// <c>%%</c> is a literal <c>%</c> and <c>%VARIABLE%</c> is substituted. Mesh's proxy sets values
    /// literally, so a well-formed variable is refused by name rather than sent as text.
    /// </summary>
    public static string? HeaderValue(string value)
    {
        if (value.Any(c => c is < ' ' and not '\t' or '\u007f'))
        {
            return $"header value configuration {value} is invalid";
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
            {
                continue;
            }

            if (i + 1 < value.Length && value[i + 1] == '%')
            {
                i++;
                continue;
            }

            if (i + 1 == value.Length)
            {
                return "header value configuration: invalid header configuration. Un-escaped %";
            }

            var end = value.IndexOf('%', i + 1);
            if (end < 0)
            {
                return $"header value configuration: invalid header configuration. Un-terminated variable expression '{value}'";
            }

            var variable = value[(i + 1)..end];
            var name = variable.Split('(')[0];
            return $"Envoy header variable %{name}% is not supported: the proxy sets header values literally (write %% for a literal %)";
        }

        return null;
    }

    [GeneratedRegex("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelName();

    [GeneratedRegex("^[!#$%&'*+\\-.^_`|~A-Za-z0-9]+$")]
    private static partial Regex HeaderToken();
}
