using System.Text.RegularExpressions;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation.GatewayApi;

/// <summary>
/// The Gateway API CRDs' schema rules (patterns, ranges, required fields), with the API server's
/// wording where it has one. What the CRDs admit but the mesh cannot do is not refused here: as on
/// a cluster, such objects are accepted and their status says why (not) — see docs/gateway-api.md.
/// </summary>
internal static partial class GatewayApiRules
{
    public const int MaxPort = 65535;

    public static void Required(string? value, string path, ValidationContext context)
    {
        if (string.IsNullOrEmpty(value))
        {
            context.Error(path, "Required value");
        }
    }

    /// <summary>An <c>ObjectName</c>: 1 to 253 characters.</summary>
    public static void ObjectName(string? value, string path, ValidationContext context)
    {
        Required(value, path, context);
        if (value is { Length: > 253 })
        {
            context.Error(path, $"may not be longer than 253 characters (got {value.Length})");
        }
    }

    public static void Group(string? value, string path, ValidationContext context) =>
        Pattern(value, path, 253, GroupPattern(), context);

    public static void Kind(string? value, string path, ValidationContext context) =>
        Pattern(value, path, 63, KindPattern(), context);

    public static void Namespace(string? value, string path, ValidationContext context) =>
        Pattern(value, path, 63, NamespacePattern(), context);

    public static void SectionName(string? value, string path, ValidationContext context) =>
        Pattern(value, path, 253, SectionNamePattern(), context);

    /// <summary>A <c>Hostname</c>: lower-case DNS name, optionally with a leading <c>*.</c> label.</summary>
    public static void Hostname(string? value, string path, ValidationContext context) =>
        Pattern(value, path, 253, HostnamePattern(), context);

    /// <summary>A <c>PreciseHostname</c>: a lower-case DNS name without wildcard.</summary>
    public static void PreciseHostname(string? value, string path, ValidationContext context) =>
        Pattern(value, path, 253, PreciseHostnamePattern(), context);

    public static void HeaderName(string? value, string path, ValidationContext context)
    {
        Required(value, path, context);
        Pattern(value, path, 256, HeaderNamePattern(), context);
    }

    public static void Port(int? port, string path, ValidationContext context)
    {
        if (port is { } value && (value < 1 || value > MaxPort))
        {
            context.Error(path, $"Invalid value: {value}: must be between 1 and {MaxPort}, inclusive");
        }
    }

    public static void Range(int? value, int min, int max, string path, ValidationContext context)
    {
        if (value is { } number && (number < min || number > max))
        {
            context.Error(path, $"Invalid value: {number}: must be between {min} and {max}, inclusive");
        }
    }

    public static void MaxItems<T>(IReadOnlyCollection<T> items, int max, string path, ValidationContext context)
    {
        if (items.Count > max)
        {
            context.Error(path, $"Too many: {items.Count}: must have at most {max} items");
        }
    }

    /// <summary>A Gateway API <c>Duration</c> (GEP-2257): up to four number-unit pairs such as <c>1h30m</c> or <c>500ms</c>.</summary>
    public static TimeSpan? Duration(string? value, string path, ValidationContext context)
    {
        if (value is null)
        {
            return null;
        }

        if (!DurationPattern().IsMatch(value))
        {
            context.Error(path, $"Invalid value: \"{value}\": must be a Gateway API duration such as 10s, 500ms or 1h30m (^([0-9]{{1,5}}(h|m|s|ms)){{1,4}}$)");
            return null;
        }

        return ParseDuration(value);
    }

    /// <summary>Parses a duration already known to match the GEP-2257 pattern.</summary>
    public static TimeSpan ParseDuration(string value)
    {
        var total = TimeSpan.Zero;
        foreach (Match part in DurationPart().Matches(value))
        {
            var number = long.Parse(part.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                _ => TimeSpan.FromMilliseconds(number),
            };
        }

        return total;
    }

    /// <summary>
    /// The CRDs' rule for <c>parentRefs</c>: several references to one parent must each name a
    /// different <c>sectionName</c>.
    /// </summary>
    public static void ParentRefs(IReadOnlyList<ParentReference> parents, string path, ValidationContext context)
    {
        MaxItems(parents, 32, path, context);
        for (var i = 0; i < parents.Count; i++)
        {
            var parent = parents[i];
            var at = $"{path}[{i}]";
            Group(parent.Group, $"{at}.group", context);
            Kind(parent.Kind, $"{at}.kind", context);
            Namespace(parent.Namespace, $"{at}.namespace", context);
            ObjectName(parent.Name, $"{at}.name", context);
            SectionName(parent.SectionName, $"{at}.sectionName", context);
            Port(parent.Port, $"{at}.port", context);
        }

        foreach (var group in parents.GroupBy(p => (p.Group ?? "gateway.networking.k8s.io", p.Kind ?? "Gateway", p.Namespace ?? "", p.Name)).Where(g => g.Count() > 1))
        {
            var refs = group.ToList();
            if (refs.Any(p => string.IsNullOrEmpty(p.SectionName)))
            {
                context.Error(path, "sectionName must be specified when parentRefs includes 2 or more references to the same parent");
            }
            else if (refs.Select(p => p.SectionName).Distinct(StringComparer.Ordinal).Count() < refs.Count)
            {
                context.Error(path, "sectionName must be unique when parentRefs includes 2 or more references to the same parent");
            }
        }
    }

    /// <summary>A backend reference: a Service reference must name its port.</summary>
    public static void BackendObject(string? group, string? kind, string? name, string? ns, int? port, string path, ValidationContext context)
    {
        Group(group, $"{path}.group", context);
        Kind(kind, $"{path}.kind", context);
        ObjectName(name, $"{path}.name", context);
        Namespace(ns, $"{path}.namespace", context);
        Port(port, $"{path}.port", context);
        if (string.IsNullOrEmpty(group) && (kind ?? "Service") == "Service" && port is null)
        {
            context.Error(path, "Must have port for Service reference");
        }
    }

    public static void Hostnames(IReadOnlyList<string> hostnames, string path, ValidationContext context)
    {
        MaxItems(hostnames, 16, path, context);
        for (var i = 0; i < hostnames.Count; i++)
        {
            Hostname(hostnames[i], $"{path}[{i}]", context);
        }
    }

    private static void Pattern(string? value, string path, int maxLength, Regex pattern, ValidationContext context)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length > maxLength)
        {
            context.Error(path, $"may not be longer than {maxLength} characters (got {value.Length})");
        }
        else if (!pattern.IsMatch(value))
        {
            context.Error(path, $"Invalid value: \"{value}\": should match '{pattern}'");
        }
    }

    [GeneratedRegex(@"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex GroupPattern();

    [GeneratedRegex("^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")]
    private static partial Regex KindPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex NamespacePattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SectionNamePattern();

    [GeneratedRegex(@"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex HostnamePattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex PreciseHostnamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$")]
    private static partial Regex HeaderNamePattern();

    [GeneratedRegex("^([0-9]{1,5}(h|m|s|ms)){1,4}$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex("([0-9]{1,5})(h|ms|m|s)")]
    private static partial Regex DurationPart();
}
