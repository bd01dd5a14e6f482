using Mesh.Integration.Tests.Infrastructure;

namespace Mesh.Integration.Tests.L4;

/// <summary>
/// Istio's TCP tasks with their own files (samples/tcp-echo, unchanged) against the real control
/// plane, sidecars with mesh mTLS between them, and the ingress gateway: traffic shifting
/// (tcp-echo-all-v1.yaml, then tcp-echo-20-v2.yaml) through Gateway port 31400, and the TCP
/// authorization task's four policies from the curl workload.
/// </summary>
public sealed class TcpEchoTaskTests
{
    [Fact]
    public async Task Traffic_shifting_task_sends_everything_to_v1_then_80_20_through_the_gateway()
    {
        await using var mesh = await TcpEchoMesh.StartAsync();
        var gateway = mesh.Gateway.GatewayPort(31400);

        await mesh.ApplySampleAsync("tcp-echo/tcp-echo-all-v1.yaml", mesh.Gateway.Id);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"one {i}", await TcpEchoMesh.EchoAsync(gateway, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // Istio's task then applies the 80/20 VirtualService over the first one.
        await mesh.ApplySampleAsync("tcp-echo/tcp-echo-20-v2.yaml", mesh.Gateway.Id);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 200; i++)
        {
            var answer = await TcpEchoMesh.EchoAsync(gateway, "hello");
            var prefix = answer?.Split(' ')[0] ?? "refused";
            counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
        }

        Assert.Equal(200, counts.GetValueOrDefault("one") + counts.GetValueOrDefault("two"));
        Assert.InRange(counts.GetValueOrDefault("two"), 20, 65);
    }

    [Fact]
    public async Task Tcp_authorization_task_allows_and_denies_ports_as_istio_documents()
    {
        await using var mesh = await TcpEchoMesh.StartAsync("foo");

        // Before any policy every port answers (once every sidecar has the echo's endpoints: SYNCED can
        // precede the push that carries the last registration).
        await Poll.UntilAsync(
            "every port answering before any policy",
            async () => (await AnswersAsync(mesh, prefixOnly: false)).SequenceEqual(["one port 9000", "one port 9001", "one port 9002"]));

        await mesh.ApplySampleAsync("tcp-echo/authz-tcp/tcp-policy-allow-ports.yaml", mesh.EchoSidecars);
        Assert.Equal(["ok", "ok", "rejected"], await AnswersAsync(mesh));

        // An ALLOW rule with an HTTP-only field (methods) does not match TCP: nothing is allowed.
        await mesh.ApplySampleAsync("tcp-echo/authz-tcp/tcp-policy-allow-methods-and-ports.yaml", mesh.EchoSidecars);
        Assert.Equal(["rejected", "rejected", "rejected"], await AnswersAsync(mesh));

        // A DENY rule ignores HTTP-only fields: methods alone denies every port.
        await mesh.ApplySampleAsync("tcp-echo/authz-tcp/tcp-policy-deny-methods.yaml", mesh.EchoSidecars);
        Assert.Equal(["rejected", "rejected", "rejected"], await AnswersAsync(mesh));

        // ...and methods with ports denies those ports only.
        await mesh.ApplySampleAsync("tcp-echo/authz-tcp/tcp-policy-deny-methods-and-ports.yaml", mesh.EchoSidecars);
        Assert.Equal(["rejected", "ok", "ok"], await AnswersAsync(mesh));
    }

    private static async Task<string[]> AnswersAsync(TcpEchoMesh mesh, bool prefixOnly = true)
    {
        var answers = new List<string>();
        foreach (var port in TcpEchoMesh.EchoPorts)
        {
            // Either tcp-echo version may answer ("one" or "two").
            var answer = await mesh.FromCurlAsync(port);
            answers.Add(answer is null ? "rejected" : prefixOnly ? "ok" : $"one {answer.Split(' ', 2)[1]}");
        }

        return [.. answers];
    }
}
