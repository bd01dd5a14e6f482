using System.Net;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>The discovery stream: Hello, ACK/NACK, keeping the last good snapshot, reconnecting.</summary>
public sealed class ControlPlaneTests
{
    private static readonly string ReviewsV1 = ClusterName("reviews", 9080, "v1");
    private static readonly string ReviewsV2 = ClusterName("reviews", 9080, "v2");

    public static TheoryData<string, string> BadSnapshots => new()
    {
        { "regex", "is not a valid RE2 regular expression" },
        { "unknown-cluster", "references unknown cluster 'outbound|9080|v9|reviews.default.svc.cluster.local'" },
        { "domain-conflict", "'reviews' on port 9080 is also claimed by virtual host" },
        { "fault", "fault.abort.http_status: must be 200-599 (got 99)" },
    };

    [Theory]
    [MemberData(nameof(BadSnapshots))]
    public async Task Bad_snapshot_is_nacked_with_the_reason_and_the_previous_routing_keeps_serving(string kind, string expectedReason)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var clusters = new[] { Cluster(ReviewsV1, v1), Cluster(ReviewsV2, v2) };
        await bed.ApplyAsync(Snapshot("good", [ServiceHost("reviews", 9080, To(ReviewsV1))], clusters));

        bed.ControlPlane.Push(BadSnapshot(kind, clusters));
        var nack = await bed.ControlPlane.WaitForNackAsync("bad");

        Assert.Contains(expectedReason, nack.Message.Nack.Error, StringComparison.Ordinal);
        Assert.Equal("reviews-v1", await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/")));
        using var dump = await proxy.ConfigDumpAsync();
        Assert.Equal("good", dump.RootElement.GetProperty("applied_version").GetString());
        Assert.Equal("bad", dump.RootElement.GetProperty("last_rejected").GetProperty("version").GetString());

        // A fixed snapshot is accepted afterwards.
        await bed.ApplyAsync(Snapshot("fixed", [ServiceHost("reviews", 9080, To(ReviewsV2))], clusters));
        Assert.Equal("reviews-v2", await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/")));
    }

    [Fact]
    public async Task Traffic_keeps_flowing_while_the_control_plane_is_down_and_the_proxy_resyncs_when_it_returns()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "reviews-client").Outbound("reviews", 9080));
        var clusters = new[] { Cluster(ReviewsV1, v1), Cluster(ReviewsV2, v2) };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(ReviewsV1))], clusters));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");

        await bed.ControlPlane.StopAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("reviews-v1", await bed.Client.GetStringAsync(url));
        }

        Assert.Equal(HttpStatusCode.OK, (await bed.Client.GetAsync(TestHttp.Local(proxy.AdminPort, "/ready"))).StatusCode);
        await Poll.UntilAsync("proxy notices the outage", async () => !(await proxy.ConfigDumpAsync()).RootElement.GetProperty("control_plane_connected").GetBoolean());

        // The control plane comes back with a newer view of the mesh.
        bed.ControlPlane.Push(Snapshot("2", [ServiceHost("reviews", 9080, To(ReviewsV2))], clusters));
        await bed.ControlPlane.RestartAsync();

        await bed.ControlPlane.WaitForAckAsync("2");
        Assert.Equal("reviews-v2", await bed.Client.GetStringAsync(url));
        Assert.Equal(2, bed.ControlPlane.Hellos.Count(h => h.Node.Id == "reviews-client"));
    }

    [Fact]
    public async Task Hello_carries_the_node_identity_bound_ports_and_bearer_token()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("app");
        var settings = ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "reviews-v2-abc", workload: "reviews-v2")
            .With("Mesh:ControlPlane:Token", "s3cret")
            .With("Mesh:Node:Namespace", "bookinfo")
            .With("Mesh:Node:ServiceAccount", "bookinfo-reviews")
            .With("Mesh:Node:Labels:app", "reviews")
            .With("Mesh:Node:Labels:version", "v2")
            .Inbound("reviews", "http", 9080, app.Port)
            .Outbound("ratings", 9080);
        var proxy = await bed.ProxyAsync(settings);

        var received = await bed.ControlPlane.WaitForAsync("Hello", r => r.Message.KindCase == ProxyMessage.KindOneofCase.Hello);
        var node = received.Message.Hello.Node;

        Assert.Equal("Bearer s3cret", received.Authorization);
        Assert.Equal("reviews-v2-abc", node.Id);
        Assert.Equal("reviews-v2", node.Workload);
        Assert.Equal("bookinfo", node.Namespace);
        Assert.Equal("bookinfo-reviews", node.ServiceAccount);
        Assert.Equal(ProxyMode.Sidecar, node.Mode);
        Assert.Equal("reviews", node.Labels["app"]);
        Assert.Equal("v2", node.Labels["version"]);
        Assert.Equal("127.0.0.1", node.Address);
        var service = Assert.Single(node.Services);
        Assert.Equal("reviews", service.Name);
        var port = Assert.Single(service.Ports);
        Assert.Equal(9080u, port.Port);
        Assert.Equal((uint)app.Port, port.TargetPort);
        Assert.Equal((uint)proxy.Port(Mesh.Proxy.Core.Listeners.ListenerKind.Inbound), port.InboundPort);
        Assert.NotEqual(0u, port.InboundPort);
        var outbound = Assert.Single(node.Outbound);
        Assert.Equal("ratings", outbound.Host);
        Assert.Equal((uint)proxy.OutboundPort("ratings"), outbound.LocalPort);
        Assert.NotEqual(0u, outbound.LocalPort);
    }

    [Fact]
    public async Task The_bearer_token_can_come_from_a_file_read_at_connect()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var tokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(tokenFile, "projected-token\n");
            await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).With("Mesh:ControlPlane:TokenFile", tokenFile));

            var hello = await bed.ControlPlane.WaitForAsync("Hello", r => r.Message.KindCase == ProxyMessage.KindOneofCase.Hello);

            Assert.Equal("Bearer projected-token", hello.Authorization);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    [Fact]
    public async Task Config_dump_shows_the_applied_snapshot_with_private_keys_redacted()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var cluster = Cluster(ReviewsV1, v1);
        cluster.Tls = new UpstreamTls { Mode = UpstreamTls.Types.Mode.Disable, PrivateKeyPem = "-----BEGIN PRIVATE KEY-----secret" };
        await bed.ApplyAsync(Snapshot("7", [ServiceHost("reviews", 9080, To(ReviewsV1))], [cluster]));

        using var client = TestHttp.CreateClient();
        var text = await client.GetStringAsync(TestHttp.Local(proxy.AdminPort, "/config_dump"));

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        using var dump = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal("7", dump.RootElement.GetProperty("applied_version").GetString());
        var clusters = dump.RootElement.GetProperty("snapshot").GetProperty("clusters");
        Assert.Equal(ReviewsV1, clusters[0].GetProperty("name").GetString());
        Assert.Equal("[redacted]", clusters[0].GetProperty("tls").GetProperty("private_key_pem").GetString());
    }

    [Fact]
    public async Task Server_info_names_the_build_and_the_gc_settings_the_process_runs_with()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));

        using var client = TestHttp.CreateClient();
        using var info = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(TestHttp.Local(proxy.AdminPort, "/server_info")));

        // In process the proxy runs on the test host's JIT runtime and GC; the AOT build says "Native AOT" (tools/test-aot).
        Assert.Equal("JIT", info.RootElement.GetProperty("build").GetString());
        var gc = info.RootElement.GetProperty("gc");
        Assert.Equal(System.Runtime.GCSettings.IsServerGC, gc.GetProperty("server").GetBoolean());
        var configuration = gc.GetProperty("configuration");
        Assert.Equal(GC.GetConfigurationVariables().Keys.Order(StringComparer.Ordinal), configuration.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(System.Runtime.GCSettings.IsServerGC, configuration.GetProperty("ServerGC").GetBoolean());
    }

    private static ProxySnapshot BadSnapshot(string kind, Cluster[] clusters)
    {
        switch (kind)
        {
            case "regex":
                var regexRoute = To(ReviewsV2, "broken", new RouteMatch { Uri = new StringMatch { Regex = "/reviews/(" } });
                return Snapshot("bad", [ServiceHost("reviews", 9080, regexRoute, To(ReviewsV1))], clusters);
            case "unknown-cluster":
                return Snapshot("bad", [ServiceHost("reviews", 9080, To(ClusterName("reviews", 9080, "v9")))], clusters);
            case "domain-conflict":
                var other = ServiceHost("reviews", 9080, To(ReviewsV2));
                other.Name = "duplicate";
                return Snapshot("bad", [ServiceHost("reviews", 9080, To(ReviewsV1)), other], clusters);
            default:
                var faulty = To(ReviewsV2);
                faulty.Fault = new Fault { Abort = new AbortFault { HttpStatus = 99, Percentage = 100 } };
                return Snapshot("bad", [ServiceHost("reviews", 9080, faulty)], clusters);
        }
    }
}
