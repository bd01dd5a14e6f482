using Mesh.Hosting.Tests.Capture;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Hosting.Tests.Pods;
using Mesh.Testing.Backends;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;

namespace Mesh.Hosting.Tests.Vm;

/// <summary>
/// samples/vm/bookinfo-vm.sh, as docs/vm.md §6 runs it: <c>network-up</c> gives the "VM" a network
/// of its own (a namespace on a bridge: it reaches the bridge, not this machine's loopback), refuses
/// to run twice, removes what it created when a step fails, and <c>down</c> leaves nothing behind.
/// </summary>
[Collection(VmScriptCollection.Name)]
public sealed class BookinfoVmScriptTests
{
    private static string Script => Path.Combine(RepositoryPaths.Root, "samples", "vm", "bookinfo-vm.sh");

    /// <summary>Istio's cross-network Gateway, as the repository ships it (docs/vm.md, section 5).</summary>
    private static readonly string CrossNetworkGateway = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "multicluster", "expose-services.yaml"));

    /// <summary>Istio's expose-istiod: the east-west gateway's 15012 to the control plane's TLS listener.</summary>
    private static readonly string ExposeControlPlane = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "multicluster", "expose-istiod.yaml"));

    // A /24 of its own, so that a developer's own run of the script (default 10.252.14) is not disturbed.
    private const string Subnet = "10.252.114";

    [PodNetworkFact]
    public async Task Network_up_gives_the_vm_its_own_network_and_down_removes_it_also_after_a_failed_step()
    {
        try
        {
            var (code, output) = await RunAsync("network-up");
            Assert.True(code == 0, output);

            Assert.Contains($"inet {Subnet}.2/24", (await CaptureCommandTests.RunAsync("ip", ["-n", "meshvm-details", "-o", "-4", "addr", "show"])).Output, StringComparison.Ordinal);
            // The VM's own network: this machine's loopback is not reachable from it (nothing of the host's 127.0.0.1 is).
            using var hostOnly = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            hostOnly.Start();
            var port = ((System.Net.IPEndPoint)hostOnly.LocalEndpoint).Port;
            Assert.Equal(7, (await InVmAsync("curl", "-s", "--max-time", "5", $"http://127.0.0.1:{port}/")).Code);
            // ...while the bridge's address is.
            using var onBridge = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse($"{Subnet}.1"), 0);
            onBridge.Start();
            var accepted = onBridge.AcceptSocketAsync();
            var bridgePort = ((System.Net.IPEndPoint)onBridge.LocalEndpoint).Port;
            _ = InVmAsync("curl", "-s", "--max-time", "5", $"http://{Subnet}.1:{bridgePort}/");
            using (await accepted.WaitAsync(TimeSpan.FromSeconds(30)))
            {
            }

            Assert.Contains($"nameserver {Subnet}.1", File.ReadAllText("/etc/netns/meshvm-details/resolv.conf"), StringComparison.Ordinal);

            // Twice: refused, nothing changed.
            (code, output) = await RunAsync("network-up");
            Assert.Equal(1, code);
            Assert.Contains("exists already", output, StringComparison.Ordinal);

            (code, output) = await RunAsync("down");
            Assert.True(code == 0, output);
            await AssertGoneAsync();

            // A step failing half-way (the veth's name is taken): what was created is removed.
            Assert.Equal(0, (await CaptureCommandTests.RunAsync("ip", ["link", "add", "meshvm-h", "type", "veth", "peer", "name", "meshvm-x"])).Code);
            (code, output) = await RunAsync("network-up");
            Assert.NotEqual(0, code);
            Assert.Contains("network-up failed: removing what it created", output, StringComparison.Ordinal);
            await AssertGoneAsync();
        }
        finally
        {
            await RunAsync("down");
            await CaptureCommandTests.RunAsync("ip", ["link", "del", "meshvm-x"]);
        }
    }

    /// <summary>
    /// <c>join</c> on the VM's network (<c>vm-network</c>): the mesh's network <c>mesh-network</c>
    /// has productpage's sidecar on this machine's loopback and its east-west gateway (15443,
    /// AUTO_PASSTHROUGH) on the bridge's address. The VM registers its entry from the group with the
    /// token configure wrote, is SYNCED, and an unmodified curl on it reaches productpage by name
    /// (DNS proxy, capture) through the east-west gateway with mTLS end to end; leaving removes its
    /// rules, files, group and — after the grace period — its entry. The control plane listens on this
    /// machine's loopback only: the VM reaches its discovery and CA through the gateway's 15012 on the
    /// bridge, over the control plane's TLS, which the VM verifies with the root configure wrote.
    /// </summary>
    [PodNetworkFact]
    public async Task Join_brings_the_vm_into_the_mesh_with_the_documented_commands_and_leaving_leaves_no_trace()
    {
        var state = Path.Combine(Path.GetTempPath(), "meshvm-test-join");
        try
        {
            var (code, output) = await RunAsync("network-up");
            Assert.True(code == 0, output);
            var bridge = $"{Subnet}.1";
            await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
            {
                BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
                Settings = new Dictionary<string, string?>
                {
                    ["ControlPlane:DiscoveryTls:Port"] = "0",
                    ["ControlPlane:Network"] = "mesh-network",
                    ["ControlPlane:WorkloadEntryGracePeriod"] = "00:00:00.500",
                },
            });
            await controlPlane.ApplyAsync(CrossNetworkGateway + "\n---\n" + ExposeControlPlane);
            await using var eastWest = await ProxyHost.StartAsync(ProxySettings.Gateway(controlPlane.GrpcUri.ToString(), "istio-eastwestgateway", "istio-eastwestgateway")
                .Identity("istio-system", "istio-eastwestgateway", ("istio", "eastwestgateway"), ("topology.istio.io/network", "mesh-network"))
                .Token(controlPlane.MintToken("istio-eastwestgateway", "istio-eastwestgateway", "istio-system"))
                .GatewayListener(15443, 15443)
                .GatewayListener(15012, 15012) // where --ingressIP sends the VM
                .With("Mesh:BindAddress", bridge)
                .With("Mesh:Node:Address", bridge));
            await using var productpage = await TestBackend.StartAsync("productpage");
            await using var productpageSidecar = await ProxyHost.StartAsync(ProxySettings.Sidecar(controlPlane.GrpcUri.ToString(), "productpage-1", "productpage-v1")
                .Identity("default", "bookinfo-productpage", ("app", "productpage"))
                .Token(controlPlane.MintToken("bookinfo-productpage", "productpage-1"))
                .Inbound("productpage", "http", 9080, productpage.Port)
                .With("Mesh:Node:Address", "127.0.0.1"));

            (code, output) = await RunAsync("join", state,
                $"MESH_SERVER={controlPlane.AdminUri}", $"MESH_TOKEN={controlPlane.Token}", "MESH_VM_ONCE=1");

            Assert.True(code == 0, output);
            Assert.Matches(@"details-vm-\d+\s+sidecar\s+details-vm\.default\s+SYNCED", output);
            Assert.Contains("on the VM: curl http://productpage:9080/productpage -> 200", output, StringComparison.Ordinal);
            Assert.Contains(productpage.Requests, r => r.Path == "/productpage");
            Assert.Contains("spiffe://cluster.local/ns/default/sa/bookinfo-details", productpage.Requests.Last(r => r.Path == "/productpage").Headers.GetValueOrDefault("x-forwarded-client-cert"), StringComparison.Ordinal);
            // productpage's endpoint is 127.0.0.1 of this machine, which the VM cannot reach: the east-west gateway on the bridge was its only way.

            // Left: no capture rules in the VM, no files, no group, and the entry gone after the grace period.
            Assert.DoesNotContain("MESH_", (await InVmAsync("iptables-save", "-t", "nat")).Output, StringComparison.Ordinal);
            Assert.False(Directory.Exists(state));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await controlPlane.Admin.GetAsync("/api/v1/config/workloadgroup/default/details-vm")).StatusCode);
            await Mesh.Testing.Poll.UntilAsync("the VM's entry removed after the grace period", async () =>
                (await controlPlane.Admin.GetAsync($"/api/v1/config/workloadentry/default/details-vm-{Subnet}.2")).StatusCode == System.Net.HttpStatusCode.NotFound);
        }
        finally
        {
            await RunAsync("down");
        }
    }

    private static async Task AssertGoneAsync()
    {
        Assert.DoesNotContain("meshvm", (await CaptureCommandTests.RunAsync("ip", ["-o", "link", "show"])).Output, StringComparison.Ordinal);
        Assert.DoesNotContain("meshvm", (await CaptureCommandTests.RunAsync("ip", ["netns", "list"])).Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/etc/netns/meshvm-details"));
    }

    private static Task<(int Code, string Output)> InVmAsync(params string[] command) =>
        CaptureCommandTests.RunAsync("ip", ["netns", "exec", "meshvm-details", .. command]);

    private static Task<(int Code, string Output)> RunAsync(string verb, string? state = null, params string[] settings) =>
        CaptureCommandTests.RunAsync("env", [$"MESH_VM_SUBNET={Subnet}", $"MESH_VM_STATE={state ?? Path.Combine(Path.GetTempPath(), "meshvm-test")}", .. settings, "bash", Script, verb]);
}

/// <summary>The script's names (meshvm-*) are fixed: its tests never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VmScriptCollection
{
    public const string Name = "samples/vm script";
}
