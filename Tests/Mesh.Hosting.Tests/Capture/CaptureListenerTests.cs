using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Hosting.Tests.Pods;
using Mesh.Testing.Backends;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;
using Poll = Mesh.Testing.Poll;

namespace Mesh.Hosting.Tests.Capture;

/// <summary>
/// The sidecar's capture listeners (docs/capture.md) with real capture rules: a "VM" (a network
/// namespace on a bridge) runs the sidecar program with <c>Mesh__Capture__Enabled</c> under the
/// proxy's group and the rules of <c>capture install</c>; the control plane (mTLS) and a
/// <c>details</c> workload with its sidecar run on the node's bridge address. From the VM, curl to
/// the service's VIP reaches details through the mesh with the VM's identity, a TCP service port
/// goes through its L4 chain, anything else passes through (ALLOW_ANY) or is refused
/// (REGISTRY_ONLY); the node reaches the VM's app on its own port through the inbound capture. With
/// <c>--redirect-dns</c> the sidecar's DNS proxy answers curl's queries for the service's names.
/// </summary>
public sealed class CaptureListenerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [PodNetworkFact]
    public async Task A_captured_vm_reaches_mesh_services_by_address_and_is_reached_on_its_app_port()
    {
        using var network = PodNetwork.Create();
        var vm = network.AddPod("vm", new Dictionary<string, IPAddress>());
        var node = network.NodeAddress.ToString();

        // A default route, as a VM has: service VIPs are no on-link address (without a route, connect fails before capture).
        Assert.Equal(0, (await CaptureCommandTests.RunAsync("ip", ["-n", vm.Namespace, "route", "add", "default", "via", node])).Code);
        await using var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
            Settings = new Dictionary<string, string?> { ["ControlPlane:BindAddress"] = node },
        });

        // details on the node: HTTP 9080 and a TCP echo port 9000, reachable on the bridge.
        await using var details = await TestBackend.StartAsync("details");
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        _ = EchoAsync(echo);
        await using var detailsSidecar = await ProxyHost.StartAsync(ProxySettings.Sidecar(controlPlane.GrpcUri.ToString(), "details-1", "details-v1")
            .Identity("default", "details", ("app", "details"), ("version", "v1"))
            .Token(controlPlane.MintToken("details", "details-1"))
            .Inbound("details", "http", 9080, details.Port)
            .Inbound("details", "tcp-echo", 9000, ((IPEndPoint)echo.LocalEndpoint).Port, "TCP")
            .Outbound("vmapp", 8080)
            .With("Mesh:BindAddress", node)
            .With("Mesh:Node:Address", node));
        using var outside = new NamedHttpServer(new TcpListener(network.NodeAddress, 0), "outside the mesh");

        // The VM: its app on 8080, its sidecar with capture, the rules.
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
            ["Mesh__Dns__Enabled"] = "true",
            ["Mesh__Dns__Upstream__0"] = node, // nothing answers there: the test asks only mesh names
        }, runAs: ["setpriv", "--regid", "1337", "--clear-groups"]);
        await CaptureCommandTests.CaptureAsync(vm, ["install", "-u", "1337", "-g", "1337", "-d", "15000", "--redirect-dns"]);

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var admin = new Uri($"http://{vm.Address}:15000/");
        var addresses = new Dictionary<string, string>();
        await Poll.UntilAsync(
            "the VM's sidecar holds the address of details",
            async () => (sidecar.HasExited ? throw new Xunit.Sdk.XunitException($"the VM's sidecar exited\n{sidecar.Output}") : await SidecarAdmin.ServiceAddressesAsync(client, admin, addresses)) && addresses.ContainsKey("details.default.svc.cluster.local"),
            () => sidecar.Output,
            Patience);
        var vip = addresses["details.default.svc.cluster.local"];
        Assert.StartsWith("240.241.", vip, StringComparison.Ordinal);

        // HTTP to the VIP: details, over mTLS with the VM's identity (the inbound sidecar's XFCC).
        await Poll.UntilAsync("curl on the VM reaches details by its VIP", async () => (await CaptureCommandTests.CurlAsync(vm, $"http://{vip}:9080/", proxyGroup: false)).Body == "details", () => sidecar.Output, Patience);
        Assert.Contains("spiffe://cluster.local/ns/default/sa/vm", details.Last.Headers.GetValueOrDefault("x-forwarded-client-cert"), StringComparison.Ordinal);
        Assert.Equal((0, "details"), await CaptureCommandTests.CurlAsync(vm, $"http://{vip}:9080/", proxyGroup: false));

        // By name: curl's resolver asks the host's nameserver, --redirect-dns sends it to the sidecar's DNS proxy, which answers the VIP.
        Assert.Equal((0, "details"), await CaptureCommandTests.CurlAsync(vm, "http://details.default:9080/", proxyGroup: false));
        Assert.Equal((0, "details"), await CaptureCommandTests.CurlAsync(vm, "http://details.default.svc.cluster.local:9080/", proxyGroup: false));

        // TCP to the VIP's TCP port: the service's L4 chain to the echo app.
        Assert.Equal("hello over tcp", await EchoThroughAsync(vm, new IPEndPoint(IPAddress.Parse(vip), 9000), "hello over tcp"));

        // Not a mesh service: passed through as it is (ALLOW_ANY).
        Assert.Equal((0, "outside the mesh"), await CaptureCommandTests.CurlAsync(vm, outside.Url, proxyGroup: false));

        // The node reaches the VM's app on its own port: captured into the VM's inbound listener (mTLS from details' sidecar).
        await detailsSidecar.WaitForSnapshotAsync("an endpoint of vmapp", s => s.Clusters.Any(c => c.Service == "vmapp.default.svc.cluster.local" && c.Endpoints.Any(e => e.Port == 8080)));
        Assert.Equal("vm app", await client.GetStringAsync(detailsSidecar.Outbound("vmapp")));

        // REGISTRY_ONLY: what is not a mesh service is refused; the mesh still works.
        await controlPlane.ApplyAsync("""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: default
              namespace: default
            spec:
              outboundTrafficPolicy:
                mode: REGISTRY_ONLY
            """);
        await Poll.UntilAsync("the VM's sidecar refuses what is not a mesh service", async () => (await CaptureCommandTests.CurlAsync(vm, outside.Url, proxyGroup: false)).ExitCode != 0, () => sidecar.Output, Patience);
        Assert.Equal((0, "details"), await CaptureCommandTests.CurlAsync(vm, $"http://{vip}:9080/", proxyGroup: false));
    }

    // A TCP client on the VM: a socket made in its network namespace, so the capture rules apply to it.
    private static async Task<string> EchoThroughAsync(PodNetwork.Pod vm, IPEndPoint destination, string text)
    {
        using var socket = NamespaceSockets.Socket(vm.Namespace);
        await socket.ConnectAsync(destination);
        await socket.SendAsync(Encoding.ASCII.GetBytes(text));
        socket.Shutdown(SocketShutdown.Send);
        var received = new StringBuilder();
        var buffer = new byte[1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    private static async Task EchoAsync(TcpListener listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[1024];
                    int read;
                    while ((read = await socket.ReceiveAsync(buffer)) > 0)
                    {
                        await socket.SendAsync(buffer.AsMemory(0, read));
                    }

                    socket.Shutdown(SocketShutdown.Send);
                }
            });
        }
    }
}
