using Mesh.Hosting.Tests.Capture;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Hosting.Tests.Pods;

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

    private static async Task AssertGoneAsync()
    {
        Assert.DoesNotContain("meshvm", (await CaptureCommandTests.RunAsync("ip", ["-o", "link", "show"])).Output, StringComparison.Ordinal);
        Assert.DoesNotContain("meshvm", (await CaptureCommandTests.RunAsync("ip", ["netns", "list"])).Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/etc/netns/meshvm-details"));
    }

    private static Task<(int Code, string Output)> InVmAsync(params string[] command) =>
        CaptureCommandTests.RunAsync("ip", ["netns", "exec", "meshvm-details", .. command]);

    private static Task<(int Code, string Output)> RunAsync(string verb) =>
        CaptureCommandTests.RunAsync("env", [$"MESH_VM_SUBNET={Subnet}", $"MESH_VM_STATE={Path.Combine(Path.GetTempPath(), "meshvm-test")}", "bash", Script, verb]);
}

/// <summary>The script's names (meshvm-*) are fixed: its tests never run in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class VmScriptCollection
{
    public const string Name = "samples/vm script";
}
