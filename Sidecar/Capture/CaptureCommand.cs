namespace Mesh.Sidecar.Capture;

/// <summary>
/// <c>capture install|remove|show</c>: the sidecar program's transparent-capture command (Istio's
/// istio-iptables; docs/capture.md). It ships with the sidecar because it runs where the sidecar
/// runs (the VM, or the pod's init container from the sidecar's image), must name the sidecar's
/// ports and user, and needs nothing else installed.
/// </summary>
internal static class CaptureCommand
{
    public const string Verb = "capture";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.Write(Usage);
            return args.Count == 0 ? 2 : 0;
        }

        try
        {
            var (settings, dryRun) = CaptureArguments.Parse(args.Skip(1).ToList());
            switch (args[0])
            {
                case "install":
                    return Install(settings, dryRun, output);
                case "remove":
                    return Remove(dryRun, output);
                case "show":
                    return Show(output);
                default:
                    error.WriteLine($"capture: unknown command '{args[0]}' (install, remove or show)");
                    return 2;
            }
        }
        catch (CaptureUsageException ex)
        {
            foreach (var problem in ex.Problems)
            {
                error.WriteLine($"capture: {problem}");
            }

            return 2;
        }
        catch (CaptureFailedException ex)
        {
            error.WriteLine($"capture: {ex.Message}");
            return 1;
        }
    }

    private static int Install(CaptureSettings settings, bool dryRun, TextWriter output)
    {
        // Without --ipv6: IPv6 too where ip6tables works (a host without it keeps its IPv6 uncaptured).
        var families = settings.IPv6 ?? (dryRun || Iptables.Available(IpFamily.V6)) ? new[] { IpFamily.V4, IpFamily.V6 } : [IpFamily.V4];
        if (dryRun)
        {
            output.WriteLine("# capture install --dry-run: capture rules already installed are removed first, then (iptables-restore --noflush):");
            foreach (var family in families)
            {
                output.WriteLine($"# {family.Name} ({family.Tool}-restore --noflush)");
                output.Write(CaptureRules.InstallScript(settings, family));
            }

            return 0;
        }

        // Installing twice gives the same rules: what an earlier install left is removed first (of
        // both families: an install with --ipv6=false leaves no IPv6 rules of an earlier one).
        RemoveInstalled(Families());
        foreach (var family in families.Reverse())
        {
            // IPv6 first: when ip6tables fails, no IPv4 rule was installed either.
            Iptables.Restore(family, CaptureRules.InstallScript(settings, family));
        }

        output.WriteLine($"capture installed ({string.Join(" and ", families.Select(f => $"{f.Name}, {Iptables.Backend(f)}"))}): outbound TCP -> {settings.OutboundCapturePort}, inbound TCP -> {settings.InboundCapturePort}"
            + (settings.RedirectDns ? $", DNS -> {settings.DnsCapturePort}" : "")
            + $"; not captured: uid {string.Join(',', settings.ProxyUids)}, gid {string.Join(',', settings.ProxyGids)}");
        return 0;
    }

    private static int Remove(bool dryRun, TextWriter output)
    {
        var scripts = Families().Select(f => (Family: f, Script: CaptureRules.RemoveScript(Iptables.SaveNat(f)))).Where(s => s.Script is not null).ToList();
        if (scripts.Count == 0)
        {
            output.WriteLine("no capture rules installed");
            return 0;
        }

        foreach (var (family, script) in scripts)
        {
            if (dryRun)
            {
                output.WriteLine($"# capture remove --dry-run, {family.Name} ({family.Tool}-restore --noflush):");
                output.Write(script);
            }
            else
            {
                Iptables.Restore(family, script!);
            }
        }

        if (!dryRun)
        {
            output.WriteLine("capture removed");
        }

        return 0;
    }

    private static void RemoveInstalled(IEnumerable<IpFamily> families)
    {
        foreach (var family in families)
        {
            if (CaptureRules.RemoveScript(Iptables.SaveNat(family)) is { } remove)
            {
                Iptables.Restore(family, remove);
            }
        }
    }

    private static int Show(TextWriter output)
    {
        var installed = Families().Select(f => (Family: f, Rules: CaptureRules.Installed(Iptables.SaveNat(f)))).Where(i => i.Rules.Count > 0).ToList();
        if (installed.Count == 0)
        {
            output.WriteLine("no capture rules installed");
            return 0;
        }

        foreach (var (family, rules) in installed)
        {
            output.WriteLine($"# {family.Name}");
            output.WriteLine("*nat");
            foreach (var line in rules)
            {
                output.WriteLine(line);
            }
        }

        return 0;
    }

    /// <summary>IPv4 always (iptables missing is an error); IPv6 where ip6tables runs.</summary>
    private static IEnumerable<IpFamily> Families() => Iptables.Available(IpFamily.V6) ? [IpFamily.V4, IpFamily.V6] : [IpFamily.V4];

    private const string Usage = """
        usage: Mesh.Sidecar capture install|remove|show [flags]   (root or CAP_NET_ADMIN; IPv4 and IPv6 nat tables)
          -p, --envoy-port PORT                          outbound capture listener (15001)
          -z, --inbound-capture-port PORT                inbound capture listener (15006)
          -u, --proxy-uid UID[,UID]                      the proxy's user, never captured (1337)
          -g, --proxy-gid GID[,GID]                      the proxy's group, never captured (= uid)
          -b, --istio-inbound-ports PORTS|*              inbound ports captured (*; empty: none)
          -d, --istio-local-exclude-ports PORTS          inbound ports not captured (with *)
          -i, --istio-service-cidr CIDRS|*               outbound destinations captured (*; empty: none; IPv4 and IPv6)
          -x, --istio-service-exclude-cidr CIDRS         outbound destinations not captured
          -q, --istio-include-outbound-ports PORTS       outbound ports captured whatever the destination
          -o, --istio-local-outbound-ports-exclude PORTS outbound ports not captured
              --redirect-dns                             UDP/TCP 53 to the DNS proxy
              --dns-capture-port PORT                    the DNS proxy (15053)
              --ipv6=true|false                          ip6tables rules too (default: where ip6tables works)
          -n, --dry-run                                  print the rules, change nothing
        """;
}
