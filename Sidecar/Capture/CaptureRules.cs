using System.Globalization;
using System.Net;
using System.Text;

namespace Mesh.Sidecar.Capture;

/// <summary>
/// The nat-table rules of transparent capture, as an iptables-restore script (applied atomically):
/// Istio's istio-iptables layout with MESH_ chains. PREROUTING sends inbound TCP through
/// MESH_INBOUND to MESH_IN_REDIRECT (the inbound capture port); OUTPUT sends the host's own TCP
/// through MESH_OUTPUT to MESH_REDIRECT (the outbound capture port), returning early for the
/// proxy's user and group (its own connections), loopback and the excluded ports and CIDRs; with
/// DNS redirection, UDP and TCP port 53 of everyone but the proxy goes to the DNS proxy (MESH_DNS).
/// The same rules for each address family (iptables and ip6tables, as istio-iptables): only the
/// loopback address and the CIDRs of that family differ.
/// </summary>
internal static class CaptureRules
{
    public const string Inbound = "MESH_INBOUND";
    public const string InRedirect = "MESH_IN_REDIRECT";
    public const string Output = "MESH_OUTPUT";
    public const string Redirect = "MESH_REDIRECT";
    public const string Dns = "MESH_DNS";

    /// <summary>Every chain capture owns: a rule in a built-in chain that jumps to one of them is capture's too.</summary>
    public static IReadOnlyList<string> Chains { get; } = [Inbound, InRedirect, Output, Redirect, Dns];

    public static string InstallScript(CaptureSettings settings, IpFamily family)
    {
        var outboundCidrs = settings.OutboundCidrs.Of(family.AddressFamily);
        var rules = new List<string>
        {
            $"-A {InRedirect} -p tcp -j REDIRECT --to-ports {settings.InboundCapturePort}",
            $"-A {Redirect} -p tcp -j REDIRECT --to-ports {settings.OutboundCapturePort}",
        };

        if (settings.RedirectDns)
        {
            // Before MESH_OUTPUT: TCP DNS goes to the DNS proxy, not to the outbound capture port.
            rules.Add($"-A OUTPUT -p udp --dport 53 -j {Dns}");
            rules.Add($"-A OUTPUT -p tcp --dport 53 -j {Dns}");
            rules.AddRange(settings.ProxyUids.Select(uid => $"-A {Dns} -m owner --uid-owner {uid} -j RETURN"));
            rules.AddRange(settings.ProxyGids.Select(gid => $"-A {Dns} -m owner --gid-owner {gid} -j RETURN"));
            rules.Add($"-A {Dns} -p udp -j REDIRECT --to-ports {settings.DnsCapturePort}");
            rules.Add($"-A {Dns} -p tcp -j REDIRECT --to-ports {settings.DnsCapturePort}");
        }

        if (!settings.InboundPorts.IsEmpty)
        {
            rules.Add($"-A PREROUTING -p tcp -j {Inbound}");
            if (settings.InboundPorts.Wildcard)
            {
                rules.AddRange(settings.InboundExcludePorts.Select(port => $"-A {Inbound} -p tcp --dport {port} -j RETURN"));
                rules.Add($"-A {Inbound} -p tcp -j {InRedirect}");
            }
            else
            {
                rules.AddRange(settings.InboundPorts.Ports.Select(port => $"-A {Inbound} -p tcp --dport {port} -j {InRedirect}"));
            }
        }

        if (!outboundCidrs.IsEmpty || settings.OutboundIncludePorts.Count > 0)
        {
            rules.Add($"-A OUTPUT -p tcp -j {Output}");
            rules.AddRange(OutputRules(settings, family, outboundCidrs));
        }

        var script = new StringBuilder("*nat\n");
        foreach (var chain in Chains.Where(c => c != Dns || settings.RedirectDns))
        {
            script.Append(CultureInfo.InvariantCulture, $":{chain} - [0:0]\n");
        }

        foreach (var rule in rules)
        {
            script.Append(rule).Append('\n');
        }

        return script.Append("COMMIT\n").ToString();
    }

    /// <summary>
    /// The script that undoes capture on a host whose nat table is <paramref name="natTable"/>
    /// (iptables-save output): every capture rule of the built-in chains deleted, capture's chains
    /// flushed and removed; null when nothing of capture is installed.
    /// </summary>
    public static string? RemoveScript(string natTable)
    {
        var lines = natTable.Split('\n', StringSplitOptions.TrimEntries);
        var jumps = lines.Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && !IsCaptureChainRule(l) && JumpsToCapture(l)).ToList();
        var chains = Chains.Where(c => lines.Any(l => l.StartsWith($":{c} ", StringComparison.Ordinal))).ToList();
        if (jumps.Count == 0 && chains.Count == 0)
        {
            return null;
        }

        var script = new StringBuilder("*nat\n");
        foreach (var jump in jumps)
        {
            script.Append("-D ").Append(jump.AsSpan(3)).Append('\n');
        }

        foreach (var chain in chains)
        {
            script.Append(CultureInfo.InvariantCulture, $"-F {chain}\n");
        }

        foreach (var chain in chains)
        {
            script.Append(CultureInfo.InvariantCulture, $"-X {chain}\n");
        }

        return script.Append("COMMIT\n").ToString();
    }

    /// <summary>The capture part of a nat table (iptables-save output): its chains and every rule in or into them.</summary>
    public static IReadOnlyList<string> Installed(string natTable) =>
        natTable.Split('\n', StringSplitOptions.TrimEntries)
            .Where(l => Chains.Any(c => l.StartsWith($":{c} ", StringComparison.Ordinal)) || (l.StartsWith("-A ", StringComparison.Ordinal) && (IsCaptureChainRule(l) || JumpsToCapture(l))))
            .Select(l => l.StartsWith(':') ? l[..l.IndexOf(' ', StringComparison.Ordinal)] : l)
            .ToList();

    private static IEnumerable<string> OutputRules(CaptureSettings settings, IpFamily family, CidrList outboundCidrs)
    {
        // The proxy's own connections: to its own address over loopback it meant the inbound side
        // (a call to a service whose endpoint is this workload); anything else of its own is
        // never captured, nor what the app sends over loopback.
        foreach (var (flag, ids) in new[] { ("--uid-owner", settings.ProxyUids), ("--gid-owner", settings.ProxyGids) })
        {
            foreach (var id in ids)
            {
                yield return $"-A {Output} -o lo ! -d {family.Loopback} -m owner {flag} {id} -j {InRedirect}";
                yield return $"-A {Output} -o lo -m owner ! {flag} {id} -j RETURN";
                yield return $"-A {Output} -m owner {flag} {id} -j RETURN";
            }
        }

        yield return $"-A {Output} -d {family.Loopback} -j RETURN";
        foreach (var port in settings.OutboundExcludePorts)
        {
            yield return $"-A {Output} -p tcp --dport {port} -j RETURN";
        }

        foreach (var port in settings.OutboundIncludePorts)
        {
            yield return $"-A {Output} -p tcp --dport {port} -j {Redirect}";
        }

        foreach (var cidr in settings.OutboundExcludeCidrs.Where(c => c.BaseAddress.AddressFamily == family.AddressFamily))
        {
            yield return $"-A {Output} -d {Cidr(cidr)} -j RETURN";
        }

        if (outboundCidrs.Wildcard)
        {
            yield return $"-A {Output} -j {Redirect}";
        }
        else
        {
            foreach (var cidr in outboundCidrs.Networks)
            {
                yield return $"-A {Output} -d {Cidr(cidr)} -j {Redirect}";
            }
        }
    }

    private static string Cidr(IPNetwork network) => network.ToString();

    private static bool IsCaptureChainRule(string rule) => Chains.Any(c => rule.StartsWith($"-A {c} ", StringComparison.Ordinal));

    private static bool JumpsToCapture(string rule) => Chains.Any(c => rule.EndsWith($" -j {c}", StringComparison.Ordinal));
}
