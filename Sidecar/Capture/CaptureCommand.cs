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
        var install = CaptureRules.InstallScript(settings);
        if (dryRun)
        {
            output.WriteLine("# capture install --dry-run: capture rules already installed are removed first, then (iptables-restore --noflush):");
            output.Write(install);
            return 0;
        }

        // Installing twice gives the same rules: what an earlier install left is removed first.
        if (CaptureRules.RemoveScript(Iptables.SaveNat()) is { } remove)
        {
            Iptables.Restore(remove);
        }

        Iptables.Restore(install);
        output.WriteLine($"capture installed: outbound TCP -> {settings.OutboundCapturePort}, inbound TCP -> {settings.InboundCapturePort}"
            + (settings.RedirectDns ? $", DNS -> {settings.DnsCapturePort}" : "")
            + $"; not captured: uid {string.Join(',', settings.ProxyUids)}, gid {string.Join(',', settings.ProxyGids)}");
        return 0;
    }

    private static int Remove(bool dryRun, TextWriter output)
    {
        var remove = CaptureRules.RemoveScript(Iptables.SaveNat());
        if (remove is null)
        {
            output.WriteLine("no capture rules installed");
            return 0;
        }

        if (dryRun)
        {
            output.WriteLine("# capture remove --dry-run (iptables-restore --noflush):");
            output.Write(remove);
            return 0;
        }

        Iptables.Restore(remove);
        output.WriteLine("capture removed");
        return 0;
    }

    private static int Show(TextWriter output)
    {
        var installed = CaptureRules.Installed(Iptables.SaveNat());
        if (installed.Count == 0)
        {
            output.WriteLine("no capture rules installed");
            return 0;
        }

        output.WriteLine("*nat");
        foreach (var line in installed)
        {
            output.WriteLine(line);
        }

        return 0;
    }

    private const string Usage = """
        usage: Mesh.Sidecar capture install|remove|show [flags]   (root or CAP_NET_ADMIN; IPv4 nat table)
          -p, --envoy-port PORT                          outbound capture listener (15001)
          -z, --inbound-capture-port PORT                inbound capture listener (15006)
          -u, --proxy-uid UID[,UID]                      the proxy's user, never captured (1337)
          -g, --proxy-gid GID[,GID]                      the proxy's group, never captured (= uid)
          -b, --istio-inbound-ports PORTS|*              inbound ports captured (*; empty: none)
          -d, --istio-local-exclude-ports PORTS          inbound ports not captured (with *)
          -i, --istio-service-cidr CIDRS|*               outbound destinations captured (*; empty: none)
          -x, --istio-service-exclude-cidr CIDRS         outbound destinations not captured
          -q, --istio-include-outbound-ports PORTS       outbound ports captured whatever the destination
          -o, --istio-local-outbound-ports-exclude PORTS outbound ports not captured
              --redirect-dns                             UDP/TCP 53 to the DNS proxy
              --dns-capture-port PORT                    the DNS proxy (15053)
          -n, --dry-run                                  print the rules, change nothing
        """;
}
