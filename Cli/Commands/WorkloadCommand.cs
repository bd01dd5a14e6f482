using System.CommandLine;
using System.Globalization;
using System.Net;
using Mesh.Cli.Files;
using Mesh.Config.Model.Networking;

namespace Mesh.Cli.Commands;

/// <summary>
/// <c>meshctl workload entry configure -f group.yaml -o DIR</c> (Istio's <c>istioctl x workload
/// entry configure</c>): everything a VM needs to join the mesh as a workload of a WorkloadGroup —
/// the control plane's address as the VM reaches it, the mesh CA's roots, a bootstrap token bound
/// to the group and its service account (issued by the control plane, expiring after
/// <c>--token-duration</c>), the mesh settings, and a systemd unit with its environment file that
/// start the sidecar registered from the group (docs/vm.md §3).
/// </summary>
internal static class WorkloadCommand
{
    public static Command Create(GlobalOptions global, CliContext context)
    {
        var file = new Option<string>("--file", "-f") { Description = "The WorkloadGroup's YAML (it must also be applied on the control plane)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Directory to write the VM's files into (created owner-only, 0700)", Required = true };
        var clusterId = new Option<string>("--clusterID") { Description = "The cluster (control plane) the VM joins, written to its mesh settings", DefaultValueFactory = _ => "Kubernetes" };
        var ingressIp = new Option<string?>("--ingressIP") { Description = "Address of the east-west gateway that exposes the control plane (its TLS discovery port 15012) to the VM's network: https://<ip>:15012" };
        var address = new Option<string?>("--control-plane-address") { Description = "The control plane's discovery address as the VM reaches it (http(s)://host:port); wins over --ingressIP" };
        var duration = new Option<string>("--token-duration") { Description = "Lifetime of the bootstrap token: seconds, or a number with s, m, h or d (600 s to 30 d)", DefaultValueFactory = _ => "3600" };
        var vmAddress = new Option<string?>("--address") { Description = "The VM's own address, where other proxies reach its sidecar (default: the address its discovery stream comes from)" };
        var installDir = new Option<string>("--install-dir") { Description = "Where the files will be on the VM (paths in the unit and environment file)", DefaultValueFactory = _ => VmFiles.DefaultInstallDirectory };
        var sidecar = new Option<string>("--sidecar-command") { Description = "Command that starts the sidecar program on the VM", DefaultValueFactory = _ => VmFiles.DefaultSidecarCommand };
        var configure = new Command("configure", "Write the files a VM needs to join the mesh from a WorkloadGroup")
        {
            file, output, clusterId, ingressIp, address, duration, vmAddress, installDir, sidecar,
        };
        CommandAction.Set(configure, context, async (result, cancellationToken) =>
        {
            var group = ReadGroup(result.GetRequiredValue(file), context);
            var seconds = ParseDuration(result.GetRequiredValue(duration));
            var discovery = ControlPlaneAddress(result.GetValue(address), result.GetValue(ingressIp));
            var vm = result.GetValue(vmAddress);
            if (vm is not null && !IPAddress.TryParse(vm, out _))
            {
                throw new CliException($"--address '{vm}' is not an IP address");
            }

            using var client = CommandAction.Client(result, global, context);
            var issued = await client.IssueWorkloadGroupTokenAsync(group.Namespace, group.Name, seconds, cancellationToken);
            discovery ??= issued.DiscoveryAddress;
            if (string.IsNullOrEmpty(discovery))
            {
                throw new CliException("the control plane does not know the address VMs reach it at: pass --control-plane-address or --ingressIP");
            }

            if (Uri.TryCreate(discovery, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost"))
            {
                await context.Error.WriteLineAsync($"warning: the control plane's address {discovery} is loopback, which a VM on another network cannot reach; pass --ingressIP (the east-west gateway) or --control-plane-address");
            }

            var directory = Path.GetFullPath(result.GetRequiredValue(output), context.CurrentDirectory);
            var written = VmFiles.Write(directory, new VmSettings(
                group, issued, discovery, result.GetRequiredValue(clusterId), vm, result.GetRequiredValue(installDir), result.GetRequiredValue(sidecar)));
            foreach (var path in written)
            {
                await context.Out.WriteLineAsync($"wrote {path}");
            }

            await context.Out.WriteLineAsync(
                $"the token for {group.Namespace}/{issued.ServiceAccount} (WorkloadGroup {group.Name}) expires at {issued.ExpiresAt.UtcDateTime:u}; copy {directory} to {result.GetRequiredValue(installDir)} on the VM and start {VmFiles.UnitFile}");
            return 0;
        });

        return new Command("workload", "Workloads outside the mesh's hosts (VMs)")
        {
            new Command("entry", "WorkloadEntries and the VMs they stand for") { configure },
        };
    }

    /// <summary>Exactly one valid WorkloadGroup from the file (errors name file, document, line and field).</summary>
    private static LocalWorkloadGroup ReadGroup(string path, CliContext context)
    {
        var read = ConfigFiles.Read([path], context);
        var local = ConfigFiles.Validate(read);
        if (!local.IsValid)
        {
            throw ApplyCommand.ValidationFailed([.. local.Errors.Select(e => e.ToString())], "nothing was written");
        }

        var groups = local.Objects.Where(o => o.Kind == "WorkloadGroup").ToList();
        if (groups.Count != 1)
        {
            throw new CliException($"{path} must hold exactly one WorkloadGroup; it holds {groups.Count}");
        }

        return new LocalWorkloadGroup(groups[0].Metadata.Name, groups[0].Metadata.Namespace, groups[0].SpecAs<WorkloadGroupConfig>());
    }

    /// <summary>Seconds (Istio's --tokenDuration), or a number with s, m, h or d.</summary>
    internal static int ParseDuration(string text)
    {
        var unit = text.Length > 0 && char.IsLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        var number = char.IsLetter(text.Length > 0 ? text[^1] : '0') ? text[..^1] : text;
        long factor = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (factor == 0 || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value * factor is < 600 or > 30 * 86400)
        {
            throw new CliException($"--token-duration '{text}' is not a duration from 600 s to 30 d (seconds, or a number with s, m, h or d)");
        }

        return (int)(value * factor);
    }

    private static string? ControlPlaneAddress(string? address, string? ingressIp)
    {
        if (address is not null)
        {
            var text = address.Contains("://", StringComparison.Ordinal) ? address : "http://" + address;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new CliException($"--control-plane-address '{address}' is not an http(s) address");
            }

            return uri.GetLeftPart(UriPartial.Authority);
        }

        if (ingressIp is not null)
        {
            if (!IPAddress.TryParse(ingressIp, out var ip))
            {
                throw new CliException($"--ingressIP '{ingressIp}' is not an IP address");
            }

            // Istio's east-west gateway exposes istiod's discovery port 15012, which is TLS: the VM verifies the
            // control plane with root-cert.pem before its token leaves (docs/vm.md §3, §5).
            return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"https://[{ip}]:15012" : $"https://{ip}:15012";
        }

        return null;
    }
}
