using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mesh.Security.Tests.Infrastructure;
using Mesh.Testing.Proxy;

namespace Mesh.Security.Tests.Vm;

/// <summary>
/// A VM joining by auto-registration, on real sockets with the real sidecar: its sidecar starts
/// with the group's token and name (what meshctl workload entry configure writes), gets the group's
/// identity from the CA, registers its WorkloadEntry, and productpage reaches it with mTLS as a
/// details endpoint; its readiness probe failing takes it out of the load-balancing set and
/// passing brings it back; once it stops, its entry is gone after the grace period.
/// </summary>
public sealed class VmAutoRegistrationTests
{
    [Fact]
    public async Task A_vm_sidecar_registers_from_its_group_serves_with_mtls_follows_its_probe_and_leaves_no_entry()
    {
        await using var controlPlane = await SecureMesh.StartControlPlaneAsync(new Dictionary<string, string?> { ["ControlPlane:WorkloadEntryGracePeriod"] = "00:00:00.500" });
        var healthy = true;
        await using var app = await TestBackend.StartAsync("vm-app", async context =>
        {
            if (context.Request.Path == "/health")
            {
                context.Response.StatusCode = Volatile.Read(ref healthy) ? 200 : 503;
                return;
            }

            await context.Response.WriteAsync("details on the vm");
        });
        var vmPort = await TestBackend.UnusedPortAsync();
        await controlPlane.ApplyAsync($$"""
            apiVersion: v1
            kind: Service
            metadata: {name: details, namespace: default}
            spec:
              selector: {app: details}
              ports: [{name: http, port: 9080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadGroup
            metadata: {name: details-vm, namespace: default}
            spec:
              metadata:
                labels: {app: details, version: vm}
              template:
                serviceAccount: bookinfo-details
                ports:
                  http: {{vmPort}}

            """);
        var probe = """{"periodSeconds":1,"failureThreshold":1,"httpGet":{"path":"/health","port":PORT}}""".Replace("PORT", $"{app.Port}", StringComparison.Ordinal);
        using var issued = await controlPlane.Admin.PostAsync("/api/v1/workloadgroups/default/details-vm/token", null);
        var token = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        await using var productpage = await TestWorkload.StartAsync(controlPlane, new WorkloadSpec("productpage") { Upstreams = ["details"] });

        var vm = await ProxyHost.StartAsync(ProxySettings.Sidecar(controlPlane.GrpcUri.ToString(), "details-vm-1", "details-vm")
            .Identity("default", "bookinfo-details")
            .Token(token)
            .With("Mesh:Node:WorkloadGroup", "details-vm")
            .With("Mesh:Node:Address", "127.0.0.1")
            .With("Mesh:Inbound:0:Name", "http")
            .With("Mesh:Inbound:0:Port", "9080")
            .With("Mesh:Inbound:0:TargetPort", $"{app.Port}")
            .With("Mesh:Inbound:0:ListenPort", $"{vmPort}")
            .With("Mesh:ReadinessProbe", probe));
        try
        {
            using var client = TestHttp.CreateClient(pooled: false);
            var last = "";
            async Task<string> CallAsync()
            {
                using var response = await client.GetAsync(productpage.Outbound("details", "/details/0"));
                return last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }

            await Poll.UntilAsync("productpage reaches the VM through its entry", async () => await CallAsync() == "200 details on the vm", () => last);
            var entry = JsonNode.Parse(await controlPlane.Admin.GetStringAsync("/api/v1/config/workloadentry/default/details-vm-127.0.0.1"))!;
            Assert.Equal("bookinfo-details", entry["spec"]!["serviceAccount"]!.GetValue<string>());
            Assert.Equal("spiffe://cluster.local/ns/default/sa/bookinfo-details", vm.Identity.Certificate!.Identity.Uri);

            Volatile.Write(ref healthy, false);
            await Poll.UntilAsync("the VM out of the load-balancing set once its probe fails", async () => (await CallAsync()).StartsWith("503", StringComparison.Ordinal), () => last);
            Volatile.Write(ref healthy, true);
            await Poll.UntilAsync("the VM back once its probe passes", async () => await CallAsync() == "200 details on the vm", () => last);
        }
        finally
        {
            await vm.DisposeAsync();
        }

        await Poll.UntilAsync("the entry removed after the grace period", async () =>
            (await controlPlane.Admin.GetAsync("/api/v1/config/workloadentry/default/details-vm-127.0.0.1")).StatusCode == HttpStatusCode.NotFound);
    }
}
