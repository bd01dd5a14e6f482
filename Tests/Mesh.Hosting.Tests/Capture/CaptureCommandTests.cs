using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Mesh.Hosting.Tests.Pods;
using Mesh.Testing.Proxy;

namespace Mesh.Hosting.Tests.Capture;

/// <summary>
/// The sidecar program's <c>capture</c> command (docs/capture.md) on a real nat table: a "VM" is
/// a network namespace on a bridge (PodNetwork); the command runs in it as the sidecar would, and
/// curl in it shows which connections are captured. The capture listeners are plain sockets this
/// test opens inside the namespace on the capture ports.
/// </summary>
public sealed class CaptureCommandTests
{
    [PodNetworkFact]
    public async Task Install_twice_gives_the_same_rules_and_remove_restores_the_nat_table()
    {
        using var network = PodNetwork.Create();
        var vm = network.AddPod("vm", new Dictionary<string, IPAddress>());
        var before = await NatTableAsync(vm);

        var flags = new[] { "-u", "1337", "-g", "1338", "-x", "10.0.0.0/8", "-o", "22", "-q", "9000", "-d", "15020", "--redirect-dns" };
        await CaptureAsync(vm, ["install", .. flags]);
        var once = await CaptureAsync(vm, ["show"]);
        await CaptureAsync(vm, ["install", .. flags]);
        var twice = await CaptureAsync(vm, ["show"]);

        Assert.Equal(once, twice);
        var rules = (await NatTableAsync(vm)).Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        Assert.Equal(rules.Distinct().Count(), rules.Count);
        Assert.Contains("-A OUTPUT -p tcp -j MESH_OUTPUT", once, StringComparison.Ordinal);
        Assert.Contains("-A PREROUTING -p tcp -j MESH_INBOUND", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -m owner --uid-owner 1337 -j RETURN", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -m owner --gid-owner 1338 -j RETURN", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -d 10.0.0.0/8 -j RETURN", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -p tcp -m tcp --dport 22 -j RETURN", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -p tcp -m tcp --dport 9000 -j MESH_REDIRECT", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_INBOUND -p tcp -m tcp --dport 15020 -j RETURN", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_REDIRECT -p tcp -j REDIRECT --to-ports 15001", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006", once, StringComparison.Ordinal);
        Assert.Contains("-A MESH_DNS -p udp -j REDIRECT --to-ports 15053", once, StringComparison.Ordinal);

        Assert.Equal("capture removed", (await CaptureAsync(vm, ["remove"])).Trim());
        Assert.Equal(before, await NatTableAsync(vm));
        Assert.Equal("no capture rules installed", (await CaptureAsync(vm, ["remove"])).Trim());
    }

    [PodNetworkFact]
    public async Task Outbound_and_inbound_tcp_reach_the_capture_ports_except_the_proxys_own_and_excluded_ports()
    {
        using var network = PodNetwork.Create();
        var vm = network.AddPod("vm", new Dictionary<string, IPAddress>());
        using var outbound = new NamedHttpServer(NamespaceSockets.Listen(vm.Namespace, new IPEndPoint(IPAddress.Any, 15001)), "outbound capture");
        using var inbound = new NamedHttpServer(NamespaceSockets.Listen(vm.Namespace, new IPEndPoint(IPAddress.Any, 15006)), "inbound capture");
        using var proxysOwn = new NamedHttpServer(new TcpListener(network.NodeAddress, 0), "direct");
        using var excluded = new NamedHttpServer(new TcpListener(network.NodeAddress, 0), "direct");
        var nowhere = $"http://10.251.{network.Subnet}.200:8080/";

        // Nothing captured yet: the address nobody has does not answer.
        Assert.NotEqual(0, (await CurlAsync(vm, nowhere, proxyGroup: false)).ExitCode);

        await CaptureAsync(vm, ["install", "-u", "1337", "-g", "1337", "-o", excluded.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal((0, "outbound capture"), await CurlAsync(vm, nowhere, proxyGroup: false));
        Assert.Equal((0, "outbound capture"), await CurlAsync(vm, proxysOwn.Url, proxyGroup: false));
        Assert.Equal((0, "direct"), await CurlAsync(vm, proxysOwn.Url, proxyGroup: true));
        Assert.Equal((0, "direct"), await CurlAsync(vm, excluded.Url, proxyGroup: false));

        // From the node to any port of the VM: the inbound capture port answers.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Assert.Equal("inbound capture", await client.GetStringAsync(new Uri($"http://{vm.Address}:9080/")));

        await CaptureAsync(vm, ["remove"]);
        Assert.NotEqual(0, (await CurlAsync(vm, nowhere, proxyGroup: false)).ExitCode);
        Assert.Equal((0, "direct"), await CurlAsync(vm, proxysOwn.Url, proxyGroup: false));
    }

    [Fact]
    public async Task Bad_flags_are_refused_by_name_and_dry_run_prints_the_rules()
    {
        var (code, output) = await RunSidecarAsync(["capture", "install", "-p", "x", "-x", "10.1.2.3/33", "--istio-service-cidr=fd00::/129", "--ipv6=maybe", "--nope"]);
        Assert.Equal(2, code);
        Assert.Contains("--envoy-port: 'x' is not a port", output, StringComparison.Ordinal);
        Assert.Contains("--istio-service-exclude-cidr: '10.1.2.3/33' is not an address or CIDR", output, StringComparison.Ordinal);
        Assert.Contains("--istio-service-cidr: 'fd00::/129' is not an address or CIDR", output, StringComparison.Ordinal);
        Assert.Contains("--ipv6: 'maybe' is not true or false", output, StringComparison.Ordinal);
        Assert.Contains("unknown flag '--nope'", output, StringComparison.Ordinal);

        // Each family's rules get that family's CIDRs; --ipv6=false leaves out the ip6tables rules.
        (code, output) = await RunSidecarAsync(["capture", "install", "--dry-run", "-i", "240.240.0.0/16,fd00:240::/32"]);
        Assert.Equal(0, code);
        var ipv6 = output[output.IndexOf("# IPv6", StringComparison.Ordinal)..];
        Assert.Contains("-A MESH_OUTPUT -d fd00:240::/32 -j MESH_REDIRECT", ipv6, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -d ::1/128 -j RETURN", ipv6, StringComparison.Ordinal);
        Assert.DoesNotContain("240.240.0.0/16", ipv6, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -d 240.240.0.0/16 -j MESH_REDIRECT", output[..output.IndexOf("# IPv6", StringComparison.Ordinal)], StringComparison.Ordinal);
        (code, output) = await RunSidecarAsync(["capture", "install", "--dry-run", "--ipv6=false"]);
        Assert.Equal(0, code);
        Assert.DoesNotContain("IPv6", output, StringComparison.Ordinal);

        (code, output) = await RunSidecarAsync(["capture", "install", "--dry-run", "-p", "16001", "-b", "9080,9090", "-i", "240.240.0.0/16"]);
        Assert.Equal(0, code);
        Assert.Contains("-A MESH_REDIRECT -p tcp -j REDIRECT --to-ports 16001", output, StringComparison.Ordinal);
        Assert.Contains("-A MESH_INBOUND -p tcp --dport 9080 -j MESH_IN_REDIRECT", output, StringComparison.Ordinal);
        Assert.Contains("-A MESH_INBOUND -p tcp --dport 9090 -j MESH_IN_REDIRECT", output, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -d 240.240.0.0/16 -j MESH_REDIRECT", output, StringComparison.Ordinal);
        Assert.DoesNotContain("-A MESH_OUTPUT -j MESH_REDIRECT", output, StringComparison.Ordinal);
    }

    /// <summary>The sidecar program's command line: its build output, or the build MESH_TEST_SIDECAR selects.</summary>
    internal static IReadOnlyList<string> SidecarProgram => ProxyProgram.Command("Mesh.Sidecar",
        typeof(CaptureCommandTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PodProgram:Mesh.Sidecar").Value!);

    /// <summary>Runs the sidecar program on the node with <paramref name="arguments"/>.</summary>
    internal static Task<(int Code, string Output)> RunSidecarAsync(string[] arguments) =>
        RunAsync(SidecarProgram[0], [.. SidecarProgram.Skip(1), .. arguments]);

    internal static async Task<string> CaptureAsync(PodNetwork.Pod vm, string[] arguments)
    {
        var (code, output) = await RunAsync("ip", ["netns", "exec", vm.Namespace, .. SidecarProgram, "capture", .. arguments]);
        Assert.True(code == 0, $"capture {string.Join(' ', arguments)} exited {code}: {output}");
        return output;
    }

    private static async Task<string> NatTableAsync(PodNetwork.Pod vm)
    {
        var (code, output) = await RunAsync("ip", ["netns", "exec", vm.Namespace, "iptables-save", "-t", "nat"]);
        Assert.Equal(0, code);
        return string.Join('\n', output.Split('\n').Where(l => !l.StartsWith('#')));
    }

    /// <summary>curl in the VM, as root or with the proxy's group (gid 1337, as the sidecar runs): exit code and body.</summary>
    internal static async Task<(int ExitCode, string Body)> CurlAsync(PodNetwork.Pod vm, string url, bool proxyGroup)
    {
        string[] curl = ["curl", "-sS", "--max-time", "10", url];
        var (code, output) = await RunAsync("ip", proxyGroup
            ? ["netns", "exec", vm.Namespace, "setpriv", "--regid", "1337", "--clear-groups", .. curl]
            : ["netns", "exec", vm.Namespace, .. curl]);
        return (code, output.Trim());
    }

    internal static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + error);
    }
}
