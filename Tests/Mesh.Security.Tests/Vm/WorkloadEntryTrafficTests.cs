using System.Net;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Security.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Security.Tests.Vm;

/// <summary>
/// A WorkloadEntry (issue 14) as an endpoint on real sockets: productpage's sidecar reaches a
/// "VM" — a workload with its own sidecar, known to the mesh only through the entry — by the
/// entry's address and port mapping, with mTLS whose server identity must be the entry's
/// service account; a routing rule selects it like any workload.
/// </summary>
public sealed class WorkloadEntryTrafficTests : IAsyncLifetime
{
    private const string RouteToVm = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: details, namespace: default}
        spec:
          host: details
          subsets: [{name: vm, labels: {version: vm}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details, namespace: default}
        spec:
          hosts: [details]
          http: [{route: [{destination: {host: details, subset: vm}}]}]
        """;

    private readonly InboundRecorder _vmInbound = new();
    private TestControlPlane _controlPlane = null!;
    private TestWorkload _details = null!;
    private TestWorkload _vm = null!;
    private TestWorkload _productpage = null!;

    public async Task InitializeAsync()
    {
        _controlPlane = await SecureMesh.StartControlPlaneAsync();
        _details = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("details"));
        // The VM's sidecar serves its app under a name of its own: the mesh's details service
        // knows it only through the WorkloadEntry below.
        _vm = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("vmhost", "vm")
        {
            ServiceAccount = "details-vm",
            ConfigureServices = services => services.AddSingleton<IMeshRequestObserver>(_vmInbound),
        });
        _productpage = await TestWorkload.StartAsync(_controlPlane, new WorkloadSpec("productpage") { Upstreams = ["details"] });
    }

    public async Task DisposeAsync()
    {
        await _productpage.DisposeAsync();
        await _vm.DisposeAsync();
        await _details.DisposeAsync();
        await _controlPlane.DisposeAsync();
    }

    private string Entry(string serviceAccount) => $$"""
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: details-vm, namespace: default}
        spec:
          address: 127.0.0.1
          labels: {app: details, version: vm}
          ports: {http: {{_vm.InboundPort}}}
          serviceAccount: {{serviceAccount}}
        """;

    [Fact]
    public async Task A_sidecar_reaches_the_entry_with_mutual_TLS_and_the_entrys_service_account_is_the_identity_it_checks()
    {
        await _controlPlane.ApplyAsync(TestMesh.Documents(Entry("details-vm") + "\n", RouteToVm));
        await _productpage.WaitForSnapshotAsync("details-vm endpoint", s => s.Clusters.Any(c => c.Endpoints.Any(e => e.Workload == "details-vm")));
        using var client = TestHttp.CreateClient(pooled: false);

        var last = "";
        await Poll.UntilAsync("productpage reaches the VM", async () =>
        {
            var r = await client.GetAsync(_productpage.Outbound("details", "/details/0"));
            last = $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}";
            return last == "200 vmhost-vm";
        }, () => last);

        var seen = Assert.Single(_vmInbound.Requests.Where(r => r.Status == 200).Take(1));
        Assert.Equal(_productpage.SpiffeId, seen.Peer);

        // The entry names another account: the VM's certificate no longer matches, the caller refuses it.
        await _controlPlane.ApplyAsync(TestMesh.Documents(Entry("someone-else") + "\n", RouteToVm));
        await _productpage.WaitForSnapshotAsync("someone-else identity", s => s.Clusters.Any(c => c.Endpoints.Any(e => e.Identity.EndsWith("/sa/someone-else", StringComparison.Ordinal))));
        var before = _vmInbound.Requests.Count;
        var refused = await client.GetAsync(_productpage.Outbound("details", "/details/0"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(before, _vmInbound.Requests.Count);
    }
}
