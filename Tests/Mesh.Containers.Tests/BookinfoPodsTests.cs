using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mesh.Containers.Tests.Docker;
using Mesh.Containers.Tests.Pods;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Testing;

namespace Mesh.Containers.Tests;

/// <summary>
/// Bookinfo as pods on Docker, from the published manifests and the images
/// `dotnet publish -t:PublishContainer` builds: the control plane, the ingress gateway and every
/// Bookinfo Deployment (one pod each), under mesh-wide STRICT mTLS. The page is served through
/// the gateway container; each image runs as the manifests' non-root user and listens where they
/// say; a VirtualService edit shifts traffic; the control plane's container is stopped (pods keep
/// serving) and started again on its data volume (pods resync, the next edit applies).
/// </summary>
public sealed class BookinfoPodsTests(PublishedBookinfo bookinfo) : IClassFixture<PublishedBookinfo>
{
    // Starting ~15 .NET containers on a shared 2-core machine: a CI-sized budget, not a goal.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(240);

    [DockerFact]
    public Task Bookinfo_runs_as_pods_through_the_gateway_with_strict_mtls_and_a_live_routing_change() => DockerCluster.RunAsync(RunAsync);

    private async Task RunAsync(DockerCluster cluster)
    {
        // Every image a manifest names is one the documented publish command built.
        foreach (var pod in bookinfo.Workloads.Values.Append(bookinfo.ControlPlane).Append(bookinfo.Gateway))
        {
            foreach (var container in pod.Deployment.Spec.Template.Spec.Containers.Concat(pod.Deployment.Spec.Template.Spec.InitContainers ?? []))
            {
                Assert.True(bookinfo.Images.ContainsKey(container.Image), $"{pod.PodName}/{container.Name} names image {container.Image}, which no project publishes ({string.Join(", ", bookinfo.Images.Keys)})");
            }
        }

        var controlPlane = await bookinfo.StartControlPlaneAsync(cluster);
        await Kubelet.WaitAsync(controlPlane, controlPlane.AppSpec.ReadinessProbe, "control plane ready", cluster.LogsAsync, Patience);

        var pods = new List<DockerPod>();
        foreach (var workload in bookinfo.Workloads.Values.OrderBy(p => p.PodName, StringComparer.Ordinal))
        {
            pods.Add(await cluster.StartAsync(workload, bookinfo.TokenFor(workload)));
        }

        var gateway = await cluster.StartAsync(bookinfo.Gateway, bookinfo.TokenFor(bookinfo.Gateway));
        foreach (var pod in pods)
        {
            // The kubelet's order: the native sidecar's startup probe, then the app's readiness (rewritten through the sidecar).
            await Kubelet.WaitAsync(pod, pod.SidecarSpec!.StartupProbe, "sidecar started", cluster.LogsAsync, Patience);
            await Kubelet.WaitAsync(pod, pod.AppSpec.ReadinessProbe, "app ready through its sidecar", cluster.LogsAsync, Patience);
        }

        await Kubelet.WaitAsync(gateway, gateway.AppSpec.ReadinessProbe, "gateway ready", cluster.LogsAsync, Patience);
        await AssertRunAsPublishedAsync(cluster.Pods);

        // The page through the gateway container: v1 routes, so reviews without stars.
        var page = gateway.Url(GatewayHttpPort(), "/productpage");
        var html = await PageAsync(page, "the product page through the gateway", h => h.Contains("Reviews served by", StringComparison.Ordinal), cluster);
        Assert.DoesNotContain("stars stars-", html, StringComparison.Ordinal);
        Assert.Contains(ServedBy("v1"), html, StringComparison.Ordinal);

        await AssertStrictMtlsAsync(cluster.Pods.Single(p => p.Published.Deployment.Metadata.Name == "details"));

        // A VirtualService edit: every request to reviews goes to v3 (red stars).
        bookinfo.WriteConfig("virtualservice-bookinfo-reviews.yaml", ReviewsTo("v3"));
        await PageAsync(page, "reviews v3 (red stars) after the routing change", h => h.Contains("stars stars-red", StringComparison.Ordinal) && h.Contains(ServedBy("v3"), StringComparison.Ordinal), cluster);

        // The control plane's container goes away: the pods keep serving what they have.
        await controlPlane.App.StopAsync();
        html = await PageAsync(page, "the page with the control plane stopped", h => h.Contains("Reviews served by", StringComparison.Ordinal), cluster);
        Assert.Contains("stars stars-red", html, StringComparison.Ordinal);

        // Started again on the same data volume (same CA, same bootstrap key): the sidecars resync
        // and the next edit reaches them.
        await controlPlane.App.StartAsync();
        await Kubelet.WaitAsync(controlPlane, controlPlane.AppSpec.ReadinessProbe, "control plane ready again", cluster.LogsAsync, Patience);
        bookinfo.WriteConfig("virtualservice-bookinfo-reviews.yaml", ReviewsTo("v2"));
        html = await PageAsync(page, "reviews v2 (black stars) after the restart", h => h.Contains("stars stars-black", StringComparison.Ordinal) && h.Contains(ServedBy("v2"), StringComparison.Ordinal), cluster);
        Assert.DoesNotContain("stars stars-red", html, StringComparison.Ordinal);
    }

    /// <summary>Each container runs as its image's non-root user and listens on the ports its manifest lists — the app on loopback only.</summary>
    private static async Task AssertRunAsPublishedAsync(IReadOnlyList<DockerPod> pods)
    {
        foreach (var pod in pods)
        {
            var specs = new[] { (pod.App, pod.AppSpec) }.Concat(pod.Sidecar is null ? [] : [(pod.Sidecar, pod.SidecarSpec!)]);
            var listening = await Kubelet.ListeningAsync(pod.App);
            foreach (var (container, spec) in specs)
            {
                var uid = (await container.ExecAsync(["id", "-u"])).Stdout.Trim();
                Assert.True(uid != "0" && uid == ManifestContainer.ImageUser(spec.Image), $"{pod.Name}/{spec.Name} runs as uid {uid}");
                foreach (var port in spec.Ports ?? [])
                {
                    Assert.True(listening.Any(l => l.Port == port.ContainerPort), $"{pod.Name}/{spec.Name} does not listen on its containerPort {port.ContainerPort} ({port.Name}); listening: {string.Join(", ", listening)}");
                }
            }

            if (pod.Sidecar is not null)
            {
                foreach (var port in pod.AppSpec.Ports)
                {
                    Assert.All(listening.Where(l => l.Port == port.ContainerPort), l => Assert.True(Kubelet.IsLoopback(l.Address), $"{pod.Name}: the app's port {port.ContainerPort} listens on {l.Address}, not loopback"));
                }
            }
        }
    }

    /// <summary>From outside the pod (the node, as another pod would): the app's port is closed and the sidecar's inbound port refuses plaintext.</summary>
    private static async Task AssertStrictMtlsAsync(DockerPod details)
    {
        var appPort = details.AppSpec.Ports[0].ContainerPort;
        Assert.False(await ConnectsAsync(details.Address, appPort), $"details' app port {appPort} answered from outside the pod");
        var inbound = int.Parse(details.Published.SidecarSetting("Mesh__Inbound__0__ListenPort"), CultureInfo.InvariantCulture);
        Assert.True(await ConnectsAsync(details.Address, inbound), "the sidecar's inbound port does not listen");
        var status = await Kubelet.StatusAsync(details.Url(inbound, "/details/0"));
        Assert.True(status == 0, $"the sidecar answered plaintext with {status} under STRICT");
    }

    private int GatewayHttpPort() =>
        int.Parse(bookinfo.Gateway.App.Env.Single(e => e.Name == "Mesh__Gateway__Listeners__0__Port").Value, CultureInfo.InvariantCulture);

    // The reviews version the page names (reviews reports its OTEL_SERVICE_NAME, reviews-<version>).
    private static string ServedBy(string version) => $"class=\"podname\">reviews-{version}<";

    private static string ReviewsTo(string subset) => $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: bookinfo
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
                subset: {subset}
        """;

    private static async Task<string> PageAsync(Uri page, string what, Func<string, bool> expected, DockerCluster cluster)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };
        var last = "";
        await Poll.UntilAsync(what, async () =>
        {
            try
            {
                using var response = await client.GetAsync(page);
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                return response.StatusCode == HttpStatusCode.OK && expected(last);
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
                return false;
            }
        }, () => $"{page} answered {last[..Math.Min(last.Length, 2000)]}\n{cluster.LogsAsync().GetAwaiter().GetResult()}", Patience);
        return last;
    }

    private static async Task<bool> ConnectsAsync(IPAddress address, int port)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(address, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
