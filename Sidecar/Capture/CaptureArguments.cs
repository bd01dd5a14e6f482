using System.Globalization;
using System.Net;

namespace Mesh.Sidecar.Capture;

/// <summary>
/// Parses <c>capture install|remove|show</c> arguments with istio-iptables' flags (short and long
/// forms, <c>--flag value</c> or <c>--flag=value</c>). Every problem is reported by flag.
/// </summary>
internal static class CaptureArguments
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["-p"] = "--envoy-port",
        ["-z"] = "--inbound-capture-port",
        ["-u"] = "--proxy-uid",
        ["-g"] = "--proxy-gid",
        ["-b"] = "--istio-inbound-ports",
        ["-d"] = "--istio-local-exclude-ports",
        ["-i"] = "--istio-service-cidr",
        ["-x"] = "--istio-service-exclude-cidr",
        ["-q"] = "--istio-include-outbound-ports",
        ["-o"] = "--istio-local-outbound-ports-exclude",
        ["-n"] = "--dry-run",
    };

    private static readonly HashSet<string> Switches = ["--dry-run", "--redirect-dns", "--ipv6"];

    public static (CaptureSettings Settings, bool DryRun) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            var name = Aliases.GetValueOrDefault(arg, arg);
            if (Switches.Contains(name))
            {
                values[name] = inline ?? "true";
            }
            else if (!Aliases.ContainsValue(name) && name != "--dns-capture-port")
            {
                errors.Add($"unknown flag '{args[i]}'");
            }
            else if (inline is not null)
            {
                values[name] = inline;
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                errors.Add($"{name}: needs a value");
            }
        }

        var uids = Ids(values, "--proxy-uid", [1337], errors);
        var settings = new CaptureSettings
        {
            OutboundCapturePort = Port(values, "--envoy-port", 15001, errors),
            InboundCapturePort = Port(values, "--inbound-capture-port", 15006, errors),
            DnsCapturePort = Port(values, "--dns-capture-port", 15053, errors),
            ProxyUids = uids,
            ProxyGids = Ids(values, "--proxy-gid", uids, errors),
            InboundPorts = values.TryGetValue("--istio-inbound-ports", out var inbound) && inbound.Trim() != "*"
                ? new PortList(false, Ports("--istio-inbound-ports", inbound, errors))
                : PortList.All,
            InboundExcludePorts = Ports("--istio-local-exclude-ports", values.GetValueOrDefault("--istio-local-exclude-ports"), errors),
            OutboundCidrs = values.TryGetValue("--istio-service-cidr", out var cidrs) && cidrs.Trim() != "*"
                ? new CidrList(false, Cidrs("--istio-service-cidr", cidrs, errors))
                : CidrList.All,
            OutboundExcludeCidrs = Cidrs("--istio-service-exclude-cidr", values.GetValueOrDefault("--istio-service-exclude-cidr"), errors),
            OutboundIncludePorts = Ports("--istio-include-outbound-ports", values.GetValueOrDefault("--istio-include-outbound-ports"), errors),
            OutboundExcludePorts = Ports("--istio-local-outbound-ports-exclude", values.GetValueOrDefault("--istio-local-outbound-ports-exclude"), errors),
            RedirectDns = Switch(values, "--redirect-dns", errors),
            IPv6 = values.ContainsKey("--ipv6") ? Switch(values, "--ipv6", errors) : null,
        };
        var dryRun = Switch(values, "--dry-run", errors);
        if (errors.Count > 0)
        {
            throw new CaptureUsageException(errors);
        }

        return (settings, dryRun);
    }

    private static bool Switch(Dictionary<string, string> values, string name, List<string> errors)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return false;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        errors.Add($"{name}: '{text}' is not true or false");
        return false;
    }

    private static int Port(Dictionary<string, string> values, string name, int fallback, List<string> errors)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        var problems = errors.Count;
        var ports = Ports(name, text, errors);
        if (errors.Count > problems)
        {
            return fallback;
        }

        if (ports.Count != 1)
        {
            errors.Add($"{name}: needs exactly one port (got '{text}')");
            return fallback;
        }

        return ports[0];
    }

    private static List<int> Ports(string name, string? text, List<string> errors)
    {
        var ports = new List<int>();
        foreach (var item in Split(text))
        {
            if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
            {
                ports.Add(port);
            }
            else
            {
                errors.Add($"{name}: '{item}' is not a port (1-65535)");
            }
        }

        return ports;
    }

    private static List<uint> Ids(Dictionary<string, string> values, string name, IReadOnlyList<uint> fallback, List<string> errors)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return [.. fallback];
        }

        var ids = new List<uint>();
        foreach (var item in Split(text))
        {
            if (uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                ids.Add(id);
            }
            else
            {
                errors.Add($"{name}: '{item}' is not a numeric id");
            }
        }

        if (ids.Count == 0)
        {
            errors.Add($"{name}: needs at least one id (the proxy's own traffic must not be captured)");
        }

        return ids;
    }

    private static List<IPNetwork> Cidrs(string name, string? text, List<string> errors)
    {
        var networks = new List<IPNetwork>();
        foreach (var item in Split(text))
        {
            var candidate = item.Contains('/', StringComparison.Ordinal) ? item : item + (item.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
            if (!IPNetwork.TryParse(candidate, out var network))
            {
                errors.Add($"{name}: '{item}' is not an address or CIDR");
            }
            else
            {
                networks.Add(network);
            }
        }

        return networks;
    }

    private static IEnumerable<string> Split(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Arguments that cannot be used, each problem named by flag.</summary>
internal sealed class CaptureUsageException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
