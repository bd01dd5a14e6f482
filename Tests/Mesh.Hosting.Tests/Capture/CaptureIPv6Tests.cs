using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mesh.Hosting.Tests.Pods;
using Mesh.Testing.ControlPlane;
using Poll = Mesh.Testing.Poll;

namespace Mesh.Hosting.Tests.Capture;

/// <summary>
/// Transparent capture over IPv6 (docs/capture.md): <c>capture install</c> writes the same rules
/// with ip6tables as with iptables — idempotent, removable, off with <c>--ipv6=false</c> — and the
/// sidecar listens where they redirect (<c>[::1]</c> outbound, <c>[::]</c> inbound) and reads the
/// original destination of an IPv6 connection. The "VM" is a network namespace on a bridge with a
/// unique local IPv6 address of this test (fd5e:0:&lt;subnet&gt;::/64), removed with it.
/// </summary>
public sealed class CaptureIPv6Tests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [PodNetworkIPv6Fact]
    public async Task The_ipv6_rules_are_the_ipv4_rules_with_ip6tables_idempotent_and_removable()
    {
        using var network = PodNetwork.Create();
        var vm = network.AddPod("vm", new Dictionary<string, IPAddress>());
        var before = await NatTableAsync(vm, "ip6tables-save");

        var flags = new[] { "-u", "1337", "-g", "1338", "-x", "10.0.0.0/8,fd00:dead::/32", "-o", "22", "-q", "9000", "-d", "15020", "--redirect-dns" };
        await CaptureCommandTests.CaptureAsync(vm, ["install", .. flags]);
        var once = await CaptureCommandTests.CaptureAsync(vm, ["show"]);
        await CaptureCommandTests.CaptureAsync(vm, ["install", .. flags]);
        Assert.Equal(once, await CaptureCommandTests.CaptureAsync(vm, ["show"]));

        var ipv6 = once[once.IndexOf("# IPv6", StringComparison.Ordinal)..];
        var ipv4 = once[..once.IndexOf("# IPv6", StringComparison.Ordinal)];
        var rules = (await NatTableAsync(vm, "ip6tables-save")).Split('\n').Where(l => l.StartsWith("-A ", StringComparison.Ordinal)).ToList();
        Assert.Equal(rules.Distinct().Count(), rules.Count);
        foreach (var rule in new[]
        {
            "-A OUTPUT -p tcp -j MESH_OUTPUT",
            "-A PREROUTING -p tcp -j MESH_INBOUND",
            "-A MESH_OUTPUT ! -d ::1/128 -o lo -m owner --uid-owner 1337 -j MESH_IN_REDIRECT",
            "-A MESH_OUTPUT -m owner --gid-owner 1338 -j RETURN",
            "-A MESH_OUTPUT -d ::1/128 -j RETURN",
            "-A MESH_OUTPUT -d fd00:dead::/32 -j RETURN",
            "-A MESH_OUTPUT -p tcp -m tcp --dport 22 -j RETURN",
            "-A MESH_OUTPUT -p tcp -m tcp --dport 9000 -j MESH_REDIRECT",
            "-A MESH_OUTPUT -j MESH_REDIRECT",
            "-A MESH_INBOUND -p tcp -m tcp --dport 15020 -j RETURN",
            "-A MESH_REDIRECT -p tcp -j REDIRECT --to-ports 15001",
            "-A MESH_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
            "-A MESH_DNS -p udp -j REDIRECT --to-ports 15053",
            "-A MESH_DNS -m owner --uid-owner 1337 -j RETURN",
        })
        {
            Assert.Contains(rule, ipv6, StringComparison.Ordinal);
        }

        // Each family has only its own CIDRs.
        Assert.DoesNotContain("10.0.0.0/8", ipv6, StringComparison.Ordinal);
        Assert.Contains("-A MESH_OUTPUT -d 10.0.0.0/8 -j RETURN", ipv4, StringComparison.Ordinal);
        Assert.DoesNotContain("fd00:dead", ipv4, StringComparison.Ordinal);

        Assert.Equal("capture removed", (await CaptureCommandTests.CaptureAsync(vm, ["remove"])).Trim());
        Assert.Equal(before, await NatTableAsync(vm, "ip6tables-save"));

        // --ipv6=false: IPv4 rules only, and what an earlier install left in ip6tables goes.
        await CaptureCommandTests.CaptureAsync(vm, ["install", .. flags]);
        await CaptureCommandTests.CaptureAsync(vm, ["install", "--ipv6=false"]);
        Assert.Equal(before, await NatTableAsync(vm, "ip6tables-save"));
        Assert.DoesNotContain("# IPv6", await CaptureCommandTests.CaptureAsync(vm, ["show"]), StringComparison.Ordinal);
        await CaptureCommandTests.CaptureAsync(vm, ["remove"]);
    }

    [PodNetworkIPv6Fact]
    public async Task An_unmodified_ipv6_client_goes_through_the_sidecar_and_the_vm_is_reached_on_its_ipv6_address()
    {
        using var network = PodNetwork.Create();
        var vm = network.AddPod("vm", new Dictionary<string, IPAddress>());
        var node6 = network.AddIPv6();
        var vm6 = network.AddIPv6(vm);
        var node = network.NodeAddress.ToString();
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
            Settings = new Dictionary<string, string?> { ["ControlPlane:BindAddress"] = node },
        });

        // A server on the node's IPv6 address only, and the VM's app on IPv4 only: over IPv6 each is
        // reached only through the VM's sidecar (outbound: passthrough; inbound: the inbound capture).
        using var outside = new NamedHttpServer(new TcpListener(node6, 0), "outside the mesh over ipv6");
        var outsideUrl = $"http://[{node6}]:{outside.Port}/";
        using var vmApp = new NamedHttpServer(NamespaceSockets.Listen(vm.Namespace, new IPEndPoint(IPAddress.Any, 8080)), "vm app");
        using var sidecar = PodProcess.Start("vm-sidecar", vm.Namespace, CaptureCommandTests.SidecarProgram, new Dictionary<string, string>
        {
            ["Mesh__ControlPlane__Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh__ControlPlane__Token"] = controlPlane.MintToken("vm", "vm-1"),
            ["Mesh__Node__Id"] = "vm-1",
            ["Mesh__Node__Workload"] = "vmapp-v1",
            ["Mesh__Node__ServiceAccount"] = "vm",
            ["Mesh__Node__Labels__app"] = "vmapp",
            ["Mesh__Node__Address"] = vm.Address.ToString(),
            ["Mesh__BindAddress"] = vm.Address.ToString(),
            ["Mesh__AdminPort"] = "15000",
            ["Mesh__Service"] = "vmapp",
            ["Mesh__Inbound__0__Port"] = "8080",
            ["Mesh__Inbound__0__TargetPort"] = "8080",
            ["Mesh__Capture__Enabled"] = "true",
        }, runAs: ["setpriv", "--regid", "1337", "--clear-groups"]);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        await Poll.UntilAsync(
            "the VM's sidecar is ready",
            async () => sidecar.HasExited ? throw new Xunit.Sdk.XunitException($"the VM's sidecar exited\n{sidecar.Output}") : await ReadyAsync(client, new Uri($"http://{vm.Address}:15000/ready")),
            () => sidecar.Output,
            Patience);

        // Before capture: the VM's app has no IPv6 socket.
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri($"http://[{vm6}]:8080/")));

        await CaptureCommandTests.CaptureAsync(vm, ["install", "-u", "1337", "-g", "1337", "-d", "15000"]);

        // Outbound: curl -6 in the VM to a non-mesh IPv6 address passes through the sidecar (ALLOW_ANY) ...
        Assert.Equal((0, "outside the mesh over ipv6"), await CaptureCommandTests.CurlAsync(vm, outsideUrl, proxyGroup: false));

        // ... inbound: the node reaches the VM's IPv4-only app on the VM's IPv6 address, through the inbound capture.
        Assert.Equal("vm app", await client.GetStringAsync(new Uri($"http://[{vm6}]:8080/")));

        // REGISTRY_ONLY: the same IPv6 connection is refused by the sidecar, which shows it went through it.
        await controlPlane.ApplyAsync("""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: default}
            spec:
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """);
        await Poll.UntilAsync("the VM's sidecar refuses the IPv6 connection under REGISTRY_ONLY", async () => (await CaptureCommandTests.CurlAsync(vm, outsideUrl, proxyGroup: false)).ExitCode != 0, () => sidecar.Output, Patience);
        Assert.Equal((0, "outside the mesh over ipv6"), await CaptureCommandTests.CurlAsync(vm, outsideUrl, proxyGroup: true));

        // Removed: IPv6 goes out as the app opened it again.
        await CaptureCommandTests.CaptureAsync(vm, ["remove"]);
        Assert.Equal((0, "outside the mesh over ipv6"), await CaptureCommandTests.CurlAsync(vm, outsideUrl, proxyGroup: false));
    }

    private static async Task<bool> ReadyAsync(HttpClient client, Uri ready)
    {
        try
        {
            using var response = await client.GetAsync(ready);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<string> NatTableAsync(PodNetwork.Pod vm, string save)
    {
        var (code, output) = await CaptureCommandTests.RunAsync("ip", ["netns", "exec", vm.Namespace, save, "-t", "nat"]);
        Assert.True(code == 0, output);
        return string.Join('\n', output.Split('\n').Where(l => !l.StartsWith('#')));
    }
}

/// <summary>A pod-network fact that also needs IPv6 and ip6tables; skipped with the reason otherwise.</summary>
public sealed class PodNetworkIPv6FactAttribute : FactAttribute
{
    public PodNetworkIPv6FactAttribute()
    {
        Skip = PodNetwork.Unavailable ?? PodNetwork.IPv6Unavailable;
    }
}
