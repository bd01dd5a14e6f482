using System.Net.Sockets;
using System.Text;
using Mesh.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Tcp;

/// <summary>
/// Istio's TCP traffic-shifting task on the running AppHost: its files from
/// <c>samples/tcp-echo/</c>, unchanged, through the ingress gateway's TCP port 31400 (the Gateway
/// server's port, which the gateway opens live) and tcp-echo's sidecars with mesh mTLS.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class TcpEchoGatewayTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private const int GatewayTcpPort = 31400;
    private static readonly TimeSpan SyncTimeout = Poll.DefaultBudget;

    [Fact]
    public async Task Istio_tcp_echo_task_files_route_all_to_v1_then_shift_80_20_through_the_gateway()
    {
        await using var allV1 = await mesh.ApplyAsync(await File.ReadAllTextAsync(TcpEchoSample("tcp-echo-all-v1.yaml")));
        await mesh.Admin.WaitForProxySyncedAsync("ingressgateway", allV1.Change!.Generation, SyncTimeout);
        string last = "";
        await Poll.UntilAsync("an answer through localhost:31400", async ct => (last = await TryEchoAsync("port 31400", ct)).Length > 0, () => last, SyncTimeout);

        var firstTen = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            firstTen.Add(await EchoAsync($"hello {i}"));
        }

        output.WriteLine(string.Join(" | ", firstTen));
        Assert.All(firstTen, line => Assert.StartsWith("one hello ", line, StringComparison.Ordinal));

        await using var shifted = await mesh.ApplyAsync(await File.ReadAllTextAsync(TcpEchoSample("tcp-echo-20-v2.yaml")));
        await mesh.Admin.WaitForProxySyncedAsync("ingressgateway", shifted.Change!.Generation, SyncTimeout);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["one"] = 0, ["two"] = 0 };
        const int Connections = 100;
        for (var i = 0; i < Connections; i++)
        {
            var answer = await EchoAsync($"connection {i}");
            counts[answer.Split(' ')[0]]++;
        }

        output.WriteLine($"{Connections} connections: one={counts["one"]}, two={counts["two"]}");

        // Binomial(100, 0.2): 5..40 is beyond three standard deviations either side.
        Assert.Equal(2, counts.Count);
        Assert.InRange(counts["two"], 5, 40);
        Assert.Equal(Connections, counts["one"] + counts["two"]);
    }

    [Fact]
    public async Task Istio_gateway_api_tcp_echo_files_run_the_gateways_own_proxy_on_31400_and_shift_80_20()
    {
        // The ingress gateway lets 31400 go once no Istio Gateway names it; the control plane then
        // starts tcp-echo-gateway's own proxy there (restarting it while the port is still held).
        await using var allV1 = await mesh.ApplyAsync(await File.ReadAllTextAsync(TcpEchoSample("gateway-api/tcp-echo-all-v1.yaml")));
        string last = "";
        await Poll.UntilAsync("tcp-echo-gateway's proxy answering on localhost:31400", async ct => (last = await TryEchoAsync("port 31400", ct)).Length > 0, () => last, TimeSpan.FromSeconds(90));
        Assert.StartsWith("one ", last, StringComparison.Ordinal);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"one gateway-api {i}", await EchoAsync($"gateway-api {i}"));
        }

        await using var shifted = await mesh.ApplyAsync(await File.ReadAllTextAsync(TcpEchoSample("gateway-api/tcp-echo-20-v2.yaml")));
        await mesh.Admin.WaitForProxySyncedAsync("tcp-echo-gateway-istio.default", shifted.Change!.Generation, SyncTimeout);
        var two = 0;
        const int Connections = 100;
        for (var i = 0; i < Connections; i++)
        {
            var answer = await EchoAsync($"connection {i}");
            Assert.Matches("^(one|two) connection", answer);
            two += answer.StartsWith("two ", StringComparison.Ordinal) ? 1 : 0;
        }

        output.WriteLine($"{Connections} connections through tcp-echo-gateway: two={two}");
        Assert.InRange(two, 5, 40);
    }

    internal static string TcpEchoSample(string relative) => Path.Combine(MeshAppFixture.RepositoryRoot, "samples", "tcp-echo", relative);

    /// <summary>One connection: a line out, the echoed line back (what <c>echo LINE | nc localhost 31400</c> shows).</summary>
    internal static async Task<string> EchoAsync(string line, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", GatewayTcpPort, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), timeout.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(timeout.Token) ?? throw new IOException($"the connection closed without an answer to '{line}'");
    }

    /// <summary>The answer, or "" while the port is not served yet (refused, reset, closed).</summary>
    internal static async Task<string> TryEchoAsync(string line, CancellationToken cancellationToken)
    {
        try
        {
            return await EchoAsync(line, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return "";
        }
    }
}
