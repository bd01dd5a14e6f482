using System.Net;
using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Tests.Infrastructure;
using Mesh.Testing.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.ControlPlane.Tests.Discovery;

/// <summary>
/// Istio's WorkloadEntry auto-registration through real discovery streams: a VM's proxy that
/// names a WorkloadGroup gets an entry from the group's template, serving while it is connected
/// and healthy, removed a grace period (on a test clock) after it disconnects; a credential not
/// entitled to the group is refused and logged.
/// </summary>
public sealed class WorkloadEntryAutoRegistrationTests
{
    private const string DetailsCluster = "outbound|9080||details.default.svc.cluster.local";
    private const string EntryPath = "/api/v1/config/workloadentry/default/details-vm-10.0.0.7";
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private const string GroupAndService = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadGroup
        metadata: {name: details-vm, namespace: default}
        spec:
          metadata:
            labels: {app: details, version: v2}
            annotations: {team: bookinfo}
          template:
            serviceAccount: bookinfo-details
            ports: {http: 19080}
            locality: us-east/zone-a
          probe:
            tcpSocket: {port: 9080}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: details, namespace: default}
        spec:
          selector: {app: details}
          ports:
          - {name: http, port: 9080}

        """;

    [Fact]
    public async Task A_vm_registers_from_its_group_serves_while_healthy_and_its_entry_goes_a_grace_period_after_it_disconnects()
    {
        var clock = new TestClock();
        await using var controlPlane = await StartAsync(clock);
        await using var caller = await controlPlane.Proxy("productpage").ConnectAsync(controlPlane.MintToken("bookinfo-productpage"));
        await caller.NextAsync();

        var vm = await controlPlane.Proxy("details-vm-1", Vm).ConnectAsync(VmToken(controlPlane));
        var serving = await caller.NextWhereAsync(s => Endpoints(s).Length == 1);
        var endpoint = Endpoints(serving).Single();
        Assert.Equal(("10.0.0.7", 19080u), (endpoint.Address, endpoint.Port));
        Assert.Equal("us-east/zone-a", endpoint.Locality);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-details", endpoint.Identity);
        Assert.Equal("v2", endpoint.Labels["version"]);

        var entry = await controlPlane.Admin.GetJsonAsync(EntryPath);
        Assert.Equal("details-vm", entry["metadata"]!["annotations"]!["istio.io/autoRegistrationGroup"]!.GetValue<string>());
        Assert.Equal("bookinfo", entry["metadata"]!["annotations"]!["team"]!.GetValue<string>());
        Assert.Equal("bookinfo-details", entry["spec"]!["serviceAccount"]!.GetValue<string>());
        Assert.Equal("10.0.0.7", entry["spec"]!["address"]!.GetValue<string>());

        // The sidecar's readiness probe fails: the entry stays, but leaves the load-balancing set.
        await vm.Call.RequestStream.WriteAsync(new ProxyMessage { WorkloadHealth = new WorkloadHealth { Ready = false, Reason = "127.0.0.1:9080: ConnectionRefused" } });
        await caller.NextWhereAsync(s => Endpoints(s).Length == 0);
        await vm.Call.RequestStream.WriteAsync(new ProxyMessage { WorkloadHealth = new WorkloadHealth { Ready = true } });
        await caller.NextWhereAsync(s => Endpoints(s).Length == 1);

        // Disconnected: no endpoint at once; the entry itself goes when the grace period ends.
        await vm.DisposeAsync();
        await caller.NextWhereAsync(s => Endpoints(s).Length == 0);
        await clock.WaitForTimerAsync("the WorkloadEntry grace period", Grace);
        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.GetAsync(EntryPath)).StatusCode);
        clock.Advance(Grace);
        await Poll.UntilAsync("the entry removed after the grace period", async () => (await controlPlane.Admin.GetAsync(EntryPath)).StatusCode == HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_vm_that_reconnects_within_the_grace_period_keeps_its_entry()
    {
        var clock = new TestClock();
        await using var controlPlane = await StartAsync(clock);
        await using var caller = await controlPlane.Proxy("productpage").ConnectAsync(controlPlane.MintToken("bookinfo-productpage"));
        var vm = await controlPlane.Proxy("details-vm-1", Vm).ConnectAsync(VmToken(controlPlane));
        await caller.NextWhereAsync(s => Endpoints(s).Length == 1);

        await vm.DisposeAsync();
        await caller.NextWhereAsync(s => Endpoints(s).Length == 0);
        await clock.WaitForTimerAsync("the WorkloadEntry grace period", Grace);
        await using var back = await controlPlane.Proxy("details-vm-1", Vm).ConnectAsync(VmToken(controlPlane));
        await caller.NextWhereAsync(s => Endpoints(s).Length == 1);
        await Poll.UntilAsync("the removal timer cancelled", () => clock.ArmedTimers.All(t => t != Grace));
        clock.Advance(Grace);

        Assert.Equal(HttpStatusCode.OK, (await controlPlane.Admin.GetAsync(EntryPath)).StatusCode);
    }

    [Fact]
    public async Task A_proxy_of_another_service_account_is_refused_the_group_and_the_refusal_is_logged()
    {
        var logs = new CapturedLogs();
        await using var controlPlane = await StartAsync(new TestClock(), logs);
        var intruder = controlPlane.Proxy("reviews-vm", node =>
        {
            Vm(node);
            node.ServiceAccount = "bookinfo-reviews";
        });
        await intruder.ConnectAsync(controlPlane.MintToken("bookinfo-reviews"));

        var refused = await Assert.ThrowsAsync<RpcException>(() => intruder.NextAsync());
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("registers workloads of service account bookinfo-details", refused.Status.Detail);
        Assert.Contains(logs.Entries, e => e.Message.Contains("Refused the registration of proxy reviews-vm from WorkloadGroup default/details-vm"));
        Assert.Equal(HttpStatusCode.NotFound, (await controlPlane.Admin.GetAsync("/api/v1/config/workloadentry/default/details-vm-10.0.0.7")).StatusCode);
    }

    [Fact]
    public async Task A_token_bound_to_another_group_an_unknown_group_and_an_expired_token_are_refused()
    {
        await using var controlPlane = await StartAsync(new TestClock());
        await controlPlane.ApplyAsync(GroupAndService.Replace("name: details-vm", "name: details-canary"));
        var key = controlPlane.Service<BootstrapKey>().Value!;

        var otherGroup = BootstrapToken.Mint(key, "default", "bookinfo-details", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1), "details-canary");
        var refused = await RefusalAsync(controlPlane, otherGroup, Vm);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("bound to WorkloadGroup default/details-canary, but the node registers from default/details-vm", refused.Status.Detail);

        refused = await RefusalAsync(controlPlane, VmToken(controlPlane), node =>
        {
            Vm(node);
            node.WorkloadGroup = "";
        });
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);

        var unknown = BootstrapToken.Mint(key, "default", "bookinfo-details", null, DateTimeOffset.UtcNow, null, "no-such-group");
        refused = await RefusalAsync(controlPlane, unknown, node =>
        {
            Vm(node);
            node.WorkloadGroup = "no-such-group";
        });
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("WorkloadGroup default/no-such-group does not exist", refused.Status.Detail);

        var expired = BootstrapToken.Mint(key, "default", "bookinfo-details", null, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1), "details-vm");
        refused = await RefusalAsync(controlPlane, expired, Vm);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("expired", refused.Status.Detail);

        var foreign = BootstrapToken.Mint("another-control-plane-key-0123456789"u8, "default", "bookinfo-details", null, DateTimeOffset.UtcNow, null, "details-vm");
        refused = await RefusalAsync(controlPlane, foreign, Vm);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public void The_peer_address_of_a_stream_is_its_ip()
    {
        Assert.Equal("10.0.0.7", MeshDiscoveryService.PeerAddress("ipv4:10.0.0.7:51234"));
        Assert.Equal("fd00::7", MeshDiscoveryService.PeerAddress("ipv6:[fd00::7]:51234"));
        Assert.Equal("", MeshDiscoveryService.PeerAddress("unix:/run/mesh.sock"));
        Assert.Equal("details-vm-fd00--7", WorkloadEntryAutoRegistration.EntryName("details-vm", "fd00::7"));
    }

    private static async Task<RpcException> RefusalAsync(TestControlPlane controlPlane, string token, Action<Node> node)
    {
        await using var proxy = await controlPlane.Proxy("details-vm-1", node).ConnectAsync(token);
        return await Assert.ThrowsAsync<RpcException>(() => proxy.NextAsync());
    }

    private static async Task<TestControlPlane> StartAsync(TestClock clock, CapturedLogs? logs = null)
    {
        // Only the auto-registration runs on the test clock: pushes keep their (short) real debounce.
        var controlPlane = await TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
            Logs = logs,
            ConfigureServices = services => services.Replace(ServiceDescriptor.Singleton(sp => ActivatorUtilities.CreateInstance<WorkloadEntryAutoRegistration>(sp, (TimeProvider)clock))),
        });
        await controlPlane.ApplyAsync(GroupAndService);
        return controlPlane;
    }

    private static string VmToken(TestControlPlane controlPlane) =>
        BootstrapToken.Mint(controlPlane.Service<BootstrapKey>().Value!, "default", "bookinfo-details", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1), "details-vm");

    /// <summary>A VM's sidecar: the group's identity, its own address, no labels or services of its own (the group gives them).</summary>
    private static void Vm(Node node)
    {
        node.Workload = "details-vm";
        node.WorkloadGroup = "details-vm";
        node.ServiceAccount = "bookinfo-details";
        node.Address = "10.0.0.7";
        node.Labels.Clear();
    }

    private static Endpoint[] Endpoints(ProxySnapshot snapshot) =>
        [.. snapshot.Clusters.Where(c => c.Name == DetailsCluster).SelectMany(c => c.Endpoints)];
}
