using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Mesh.Integration.Tests.Infrastructure;

namespace Mesh.Integration.Tests.GatewayApi;

/// <summary>
/// Locally the control plane runs a Gateway's proxy itself: the real gateway program as a child
/// process, started when the Gateway is applied, with listener port 80 served on 80 plus
/// ControlPlane:Gateways:PrivilegedPortOffset (status.addresses and meshctl get say where),
/// started again when it dies, moved when its ports change and stopped when the Gateway goes.
/// </summary>
public sealed class LocalGatewayProcessTests
{
    private const string NodeId = "reviews-gateway-istio.default";

    private static string Gateway(int port) => $$$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: reviews-gateway}
        spec:
          gatewayClassName: istio
          listeners:
          - {name: http, port: {{{port}}}, protocol: HTTP}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: reviews}
        spec:
          parentRefs: [{name: reviews-gateway}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /reviews}}]
            backendRefs: [{name: reviews, port: 9080}]
        """;

    [Fact]
    public async Task A_gateway_of_class_istio_gets_a_proxy_process_serving_port_80_on_the_documented_local_port()
    {
        // Port 80 is served on 80 + offset: an offset that lands on a port free now.
        var local = FreePort();
        await using var mesh = await MeshTestCluster.StartAsync(Settings(privilegedPortOffset: local - 80), "v1");

        await mesh.ControlPlane.ApplyAsync(Gateway(80));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{local}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitUntilServedAsync(client);

        // The status says where port 80 is served; meshctl get shows it (and Programmed).
        using var status = JsonDocument.Parse(await mesh.ControlPlane.Admin.GetStringAsync("/api/v1/config/gtw/default/reviews-gateway"));
        var addresses = status.RootElement.GetProperty("status").GetProperty("addresses").EnumerateArray()
            .Select(a => (a.GetProperty("type").GetString(), a.GetProperty("value").GetString())).ToList();
        Assert.Contains(("IPAddress", "127.0.0.1"), addresses);
        Assert.Contains(("mesh.local/ListenerPort", $"80=127.0.0.1:{local}"), addresses);
        var programmed = status.RootElement.GetProperty("status").GetProperty("conditions").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "Programmed");
        Assert.Equal("True", programmed.GetProperty("status").GetString());
        Assert.Contains(NodeId, programmed.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (exitCode, output, error) = await mesh.MeshCtlAsync("get", "gtw");
        Assert.True(exitCode == 0, error);
        Assert.Contains("CLASS", output, StringComparison.Ordinal);
        Assert.Contains("ADDRESS", output, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{local} (port 80)", output, StringComparison.Ordinal);
        Assert.Matches(@"reviews-gateway\s+default\s+istio\s+.*\s+True\s", output);

        // Deleting the Gateway stops its proxy: the port stops answering.
        var (deleted, _, deleteError) = await mesh.MeshCtlAsync("delete", "gtw", "reviews-gateway");
        Assert.True(deleted == 0, deleteError);
        await Poll.UntilAsync("the gateway's port to close and its pid file to go", () => Task.FromResult(!Listening(local) && PidOf(mesh) is null), budget: Startup);
    }

    [Fact]
    public async Task A_gateway_proxy_that_dies_is_started_again_and_a_changed_port_moves_it()
    {
        await using var mesh = await MeshTestCluster.StartAsync(Settings(privilegedPortOffset: 10000), "v1");
        var first = FreePort();
        await mesh.ControlPlane.ApplyAsync(Gateway(first));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{first}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitUntilServedAsync(client);

        // Killed behind the control plane's back: started again (a new process) and serving.
        var pid = PidOf(mesh) ?? throw new InvalidOperationException("no pid file for the gateway's process");
        using (var process = System.Diagnostics.Process.GetProcessById(pid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        await Poll.UntilAsync("a new gateway process", () => Task.FromResult(PidOf(mesh) is { } current && current != pid), budget: Startup);
        await WaitUntilServedAsync(client);

        // A listener port that changes moves the proxy: the old port closes, the new one serves.
        var second = FreePort();
        await mesh.ControlPlane.ApplyAsync(Gateway(second));
        using var moved = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{second}"), Timeout = TimeSpan.FromSeconds(10) };
        await WaitUntilServedAsync(moved);
        await Poll.UntilAsync($"the old port {first} closed (its process stopped)", () => Task.FromResult(!Listening(first)), budget: Startup);
    }

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    private static Dictionary<string, string?> Settings(int privilegedPortOffset) => new()
    {
        ["ControlPlane:Gateways:Program"] = GatewayProgram,
        ["ControlPlane:Gateways:PrivilegedPortOffset"] = privilegedPortOffset.ToString(CultureInfo.InvariantCulture),
        ["ControlPlane:Gateways:RestartDelay"] = "00:00:00.100",
    };

    // Recorded at build time by the test project (as the AppHost records it).
    private static string GatewayProgram =>
        typeof(LocalGatewayProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Mesh.GatewayPath").Value!;

    private static async Task WaitUntilServedAsync(HttpClient client)
    {
        var last = "";
        await Poll.UntilAsync("the gateway process to route /reviews/0 to reviews-v1", async () =>
        {
            using var response = await client.GetAsync("/reviews/0");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.OK && last.EndsWith("reviews-v1", StringComparison.Ordinal);
        }, () => last, Startup);
    }

    private static string PidFile(MeshTestCluster mesh) => Path.Combine(mesh.DataDirectory, "gateways", "default_reviews-gateway.pid");

    // Null while there is none (or it is being written).
    private static int? PidOf(MeshTestCluster mesh) =>
        File.Exists(PidFile(mesh)) && File.ReadAllLines(PidFile(mesh)) is [var first, ..] && int.TryParse(first, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var socket = new TcpClient();
            socket.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
