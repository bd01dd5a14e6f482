using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Mesh.Hosting.Tests.Pods;

/// <summary>
/// Pods without Kubernetes: a Linux bridge on the node (this test's network namespace) with one
/// network namespace per pod, each with its own veth, address and loopback, so a port bound to
/// 127.0.0.1 in a pod is reachable only from inside it — exactly a pod's network. Everything is
/// named <c>mp&lt;pid&gt;-&lt;n&gt;…</c> in a free 10.251.x.0/24 the test picks, and removed on dispose,
/// also when the test fails; leftovers of a test process that died are removed first. An iptables
/// FORWARD rule lets the bridge forward between pods whatever the host firewall says.
/// </summary>
internal sealed class PodNetwork : IDisposable
{
    private const string Prefix = "mp";
    private static int _created;
    private readonly string _id;
    private readonly string _bridge;
    private readonly List<Pod> _pods = [];

    private PodNetwork(string id, int subnet)
    {
        _id = id;
        _bridge = $"{Prefix}{id}br";
        Subnet = subnet;
    }

    /// <summary>The node's address on the bridge (where the test runs the control plane).</summary>
    public IPAddress NodeAddress => Address(1);

    public int Subnet { get; }

    /// <summary>Why pods cannot be created here (not root, no <c>ip</c>, no namespaces), or null when they can.</summary>
    public static string? Unavailable { get; } = Probe();

    /// <summary>Why pods cannot have IPv6 and ip6tables here, or null when they can.</summary>
    public static string? IPv6Unavailable { get; } = ProbeIPv6();

    /// <summary>
    /// Gives the node's bridge (no <paramref name="pod"/>) or a pod a unique local IPv6 address of
    /// this network, fd5e:0:&lt;subnet&gt;::&lt;host&gt;/64 (no duplicate address detection, so it is usable at once); removed with the network.
    /// </summary>
    public IPAddress AddIPv6(Pod? pod = null)
    {
        var address = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"fd5e:0:{Subnet:x}::{(pod is null ? 1 : _pods.IndexOf(pod) + 2):x}"));
        Ip(pod is null
            ? $"-6 addr add {address}/64 dev {_bridge} nodad"
            : $"-n {pod.Namespace} -6 addr add {address}/64 dev {pod.Namespace}vp nodad");
        return address;
    }

    public static PodNetwork Create()
    {
        RemoveLeftovers();
        // Interface names have at most 15 characters: mp<pid>-<n>p<i>vp.
        var id = $"{Environment.ProcessId}-{Interlocked.Increment(ref _created) % 10}";
        var network = new PodNetwork(id, FreeSubnet());
        try
        {
            Ip($"link add {network._bridge} type bridge");
            Ip($"addr add {network.NodeAddress}/24 dev {network._bridge}");
            Ip($"link set {network._bridge} up");

            // Bridged frames pass the host's iptables FORWARD chain once br_netfilter is loaded (a
            // Docker daemon loads it and sets the policy to DROP): pods talk to each other anyway.
            Run("iptables", ForwardRule("-I", network._bridge));
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return network;
    }

    /// <summary>A new pod on the bridge with the next address; <paramref name="hosts"/> become its /etc/hosts (ip netns exec mounts /etc/netns/&lt;pod&gt;/hosts).</summary>
    public Pod AddPod(string name, IReadOnlyDictionary<string, IPAddress> hosts)
    {
        var index = _pods.Count;
        var pod = new Pod($"{Prefix}{_id}p{index}", name, Address(index + 2));
        _pods.Add(pod);
        var veth = pod.Namespace + "v";
        Ip($"netns add {pod.Namespace}");
        Ip($"link add {veth} type veth peer name {veth}p");
        Ip($"link set {veth}p netns {pod.Namespace}");
        Ip($"link set {veth} master {_bridge} up");
        Ip($"-n {pod.Namespace} link set lo up");
        Ip($"-n {pod.Namespace} addr add {pod.Address}/24 dev {veth}p");
        Ip($"-n {pod.Namespace} link set {veth}p up");
        var etc = Path.Combine("/etc/netns", pod.Namespace);
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "hosts"), "127.0.0.1 localhost\n" + string.Concat(hosts.Select(h => $"{h.Value} {h.Key}\n")));
        return pod;
    }

    public void Dispose()
    {
        foreach (var pod in _pods)
        {
            Remove(pod.Namespace);
        }

        TryIp($"link del {_bridge}");
        Run("iptables", ForwardRule("-D", _bridge));
    }

    private static string ForwardRule(string operation, string bridge) => $"{operation} FORWARD -i {bridge} -o {bridge} -j ACCEPT";

    private IPAddress Address(int host) => IPAddress.Parse($"10.251.{Subnet}.{host}");

    private static void Remove(string podNamespace)
    {
        TryIp($"netns del {podNamespace}");
        TryIp($"link del {podNamespace}v");
        try
        {
            Directory.Delete(Path.Combine("/etc/netns", podNamespace), recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    // A test host killed mid-test cannot clean up: remove what a process that no longer runs left.
    private static void RemoveLeftovers()
    {
        var namespaces = Run("ip", "netns list").Output.Split('\n').Select(l => l.Split(' ')[0]);
        var links = Run("ip", "-o link show").Output.Split('\n').Select(l => l.Split(':', 3) is { Length: 3 } parts ? parts[1].Trim().Split('@')[0] : "");
        var hosts = Directory.Exists("/etc/netns") ? Directory.EnumerateDirectories("/etc/netns").Select(Path.GetFileName) : [];
        foreach (var name in namespaces.Concat(links).Concat(hosts).OfType<string>().Where(IsLeftover).Distinct())
        {
            TryIp($"netns del {name}");
            TryIp($"link del {name}");
            Run("iptables", ForwardRule("-D", name));
            Remove(name);
        }
    }

    private static bool IsLeftover(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && name.IndexOf('-', StringComparison.Ordinal) is > 2 and var dash
        && int.TryParse(name.AsSpan(Prefix.Length, dash - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
        && owner != Environment.ProcessId && !Directory.Exists($"/proc/{owner}");

    private static int FreeSubnet()
    {
        var used = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address.ToString())
            .Where(a => a.StartsWith("10.251.", StringComparison.Ordinal))
            .Select(a => int.Parse(a.Split('.')[2], CultureInfo.InvariantCulture))
            .ToHashSet();
        var (_, routes) = Run("ip", "-4 route show");
        for (var attempt = 0; attempt < 256; attempt++)
        {
            var subnet = Random.Shared.Next(1, 255);
            if (!used.Contains(subnet) && !routes.Contains($"10.251.{subnet}.", StringComparison.Ordinal))
            {
                return subnet;
            }
        }

        throw new InvalidOperationException("no free 10.251.x.0/24 for the pod network");
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "pods are Linux network namespaces; this is not Linux";
        }

        if (Environment.UserName != "root")
        {
            return "creating network namespaces and a bridge needs root";
        }

        var name = $"{Prefix}{Environment.ProcessId}-probe";
        var (code, output) = Run("ip", $"netns add {name}");
        if (code != 0)
        {
            return $"network namespaces cannot be created here ('ip netns add' said: {output.Trim()})";
        }

        TryIp($"netns del {name}");
        (code, output) = Run("unshare", "--mount true");
        return code == 0 ? null : $"mount namespaces cannot be created here ('unshare --mount' said: {output.Trim()})";
    }

    private static string? ProbeIPv6()
    {
        if (!File.Exists("/proc/net/if_inet6"))
        {
            return "this kernel has IPv6 off (no /proc/net/if_inet6)";
        }

        var (code, output) = Run("ip6tables-save", "-t nat");
        return code == 0 ? null : $"ip6tables cannot read the nat table here ('ip6tables-save -t nat' said: {output.Trim()})";
    }

    private static void Ip(string arguments)
    {
        var (code, output) = Run("ip", arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"ip {arguments}: {output.Trim()}");
        }
    }

    private static void TryIp(string arguments) => Run("ip", arguments);

    private static (int Code, string Output) Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{file}: {ex.Message}");
        }
    }

    /// <summary>One pod: its network namespace and address.</summary>
    internal sealed record Pod(string Namespace, string Name, IPAddress Address);
}
