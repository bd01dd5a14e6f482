using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Cli.Tests.Infrastructure;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;

namespace Mesh.Cli.Tests;

/// <summary>proxy-status, proxy-config, version, server/token resolution and failure messages.</summary>
public sealed class ServerCommandTests
{
    [Fact]
    public async Task Proxy_status_and_proxy_config_show_what_a_connected_proxy_was_sent()
    {
        await using var host = await CliHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.GrpcUri);
        using var call = new MeshDiscovery.MeshDiscoveryClient(channel).StreamSnapshots();
        var node = new Node { Id = "reviews-v2-1", Workload = "reviews-v2", Namespace = "default", Address = "127.0.0.1", Labels = { ["app"] = "reviews", ["version"] = "v2" } };
        await call.RequestStream.WriteAsync(new ProxyMessage { Hello = new Hello { Node = node } });
        Assert.True(await call.ResponseStream.MoveNext());
        var snapshot = call.ResponseStream.Current;
        await call.RequestStream.WriteAsync(new ProxyMessage { Nack = new Nack { Version = snapshot.Version, Error = "bad route" } });

        var nacked = await Poll.ForAsync("meshctl proxy-status printing \"NACKED\"", () => host.RunAsync("proxy-status"), r => r.Out.Contains("NACKED", StringComparison.Ordinal));
        Assert.Equal(0, nacked.ExitCode);
        var lines = nacked.Out.TrimEnd().Split('\n');
        Assert.Matches(@"^NAME\s+KIND\s+WORKLOAD\s+STATUS\s+SENT\s+ACKED\s+ERROR$", lines[0]);
        Assert.Matches($@"^reviews-v2-1\s+sidecar\s+reviews-v2\.default\s+NACKED\s+{snapshot.Version[..12]} \(\d+s\)\s+-\s+bad route$", lines[1]);

        await call.RequestStream.WriteAsync(new ProxyMessage { Ack = new Ack { Version = snapshot.Version } });
        var synced = await Poll.ForAsync("meshctl proxy-status reviews-v2-1 printing \"SYNCED\"", () => host.RunAsync("proxy-status", "reviews-v2-1"), r => r.Out.Contains("SYNCED", StringComparison.Ordinal));
        Assert.Contains("SYNCED", synced.Out);

        var summary = await host.RunAsync("proxy-config", "reviews-v2-1");
        Assert.True(summary.ExitCode == 0, summary.ToString());
        Assert.Contains("ROUTES (1)", summary.Out);
        Assert.Matches(@"reviews\.default\.svc\.cluster\.local:9080\s+reviews,reviews:9080\s+reviews\.default#0\s+prefix:/reviews\s+outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local 80%, outbound\|9080\|v2\|reviews\.default\.svc\.cluster\.local 20%", summary.Out);
        Assert.Contains("CLUSTERS (2)", summary.Out);
        Assert.Contains("ENDPOINTS (1)", summary.Out);
        Assert.Matches(@"outbound\|9080\|v2\|reviews\.default\.svc\.cluster\.local\s+127\.0\.0\.1:15006\s+reviews-v2\s+yes", summary.Out);

        var json = await host.RunAsync("proxy-config", "reviews-v2-1", "-o", "json");
        Assert.Contains($"\"version\": \"{snapshot.Version}\"", json.Out);
        Assert.Contains("\"id\": \"reviews-v2-1\"", json.Out);

        var unknown = await host.RunAsync("proxy-config", "ghost");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("proxy 'ghost' is not connected", unknown.Error);
    }

    [Fact]
    public async Task The_token_comes_from_the_flag_the_environment_or_mesh_data_in_a_parent_directory()
    {
        await using var host = await CliHost.StartAsync();

        var fromParent = await host.RunAsync("get", "all"); // runs in work/nested; the token is in work/.mesh-data
        Assert.True(fromParent.ExitCode == 0, fromParent.ToString());

        var elsewhere = await host.RunInAsync(Path.GetTempPath(), "get", "all");
        Assert.Equal(1, elsewhere.ExitCode);
        Assert.Contains("refused the request", elsewhere.Error);
        Assert.Contains("--token", elsewhere.Error);

        var token = File.ReadAllText(Path.Combine(host.WorkDirectory, ".mesh-data", "admin-token")).Trim();
        var withFlag = await host.RunInAsync(Path.GetTempPath(), "get", "all", "--token", token);
        Assert.True(withFlag.ExitCode == 0, withFlag.ToString());

        var wrong = await host.RunAsync("get", "all", "--token", "wrong");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("invalid admin token", wrong.Error);
    }

    [Fact]
    public async Task An_unreachable_control_plane_is_a_clear_error_not_a_stack_trace()
    {
        var result = await ConfigCommandTests.Run(Path.GetTempPath(), "proxy-status", "--server", "http://127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: cannot reach control plane at http://127.0.0.1:1/", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Version_prints_the_client_and_the_control_plane_state()
    {
        await using var host = await CliHost.StartAsync();

        var both = await host.RunAsync("version");
        Assert.Equal(0, both.ExitCode);
        Assert.Matches(@"^meshctl version: \S+\ncontrol plane: http://127\.0\.0\.1:\d+/ \(configuration generation 0, 0 objects\)", both.Out);

        var client = await ConfigCommandTests.Run(Path.GetTempPath(), "version", "--client", "--server", "http://127.0.0.1:1");
        Assert.Equal(0, client.ExitCode);
        Assert.DoesNotContain("control plane", client.Out);
    }
}
