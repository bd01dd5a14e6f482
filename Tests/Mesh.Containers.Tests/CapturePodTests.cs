using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Mesh.Containers.Tests.Docker;
using Mesh.Containers.Tests.Pods;
using Mesh.Hosting.Tests.Capture;
using Mesh.Testing;

namespace Mesh.Containers.Tests;

/// <summary>
/// Transparent capture in pods on Docker (docs/kubernetes.md, <c>Capture=iptables</c>): Bookinfo
/// published with the capture init container, and details and productpage run as its manifests
/// say — the init container first, from the sidecar's image (proxy-base: runtime-deps with
/// iptables), as root with only NET_ADMIN and NET_RAW in the app's network namespace, running the
/// manifest's <c>capture install …</c>; then the sidecar as the user the rules exclude. The rules
/// are in the pod's nat table; the productpage app container's own connection to details' service
/// address (its VIP) is captured by its sidecar and reaches details with mTLS and productpage's
/// identity, under STRICT, while the same plaintext bytes sent straight to details' pod are
/// refused; and what the app sends outside the mesh also leaves through its sidecar.
/// </summary>
public sealed class CapturePodTests(PublishedBookinfoWithCapture bookinfo) : IClassFixture<PublishedBookinfoWithCapture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(240);

    [DockerFact]
    public Task The_capture_init_container_installs_the_rules_and_the_apps_connections_go_through_its_sidecar() => DockerCluster.RunAsync(RunAsync);

    private async Task RunAsync(DockerCluster cluster)
    {
        var controlPlane = await bookinfo.StartControlPlaneAsync(cluster);
        await Kubelet.WaitAsync(controlPlane, controlPlane.AppSpec.ReadinessProbe, "control plane ready", cluster.LogsAsync, Patience);

        // DockerCluster runs each plain init container to completion first and fails unless it exits 0.
        var details = await cluster.StartAsync(bookinfo.Workloads["details"], bookinfo.TokenFor(bookinfo.Workloads["details"]));
        var productpage = await cluster.StartAsync(bookinfo.Workloads["productpage"], bookinfo.TokenFor(bookinfo.Workloads["productpage"]));
        foreach (var pod in new[] { details, productpage })
        {
            var init = Assert.Single(pod.InitContainers);
            var (stdout, stderr) = await init.GetLogsAsync();
            Assert.Contains("capture installed (IPv4", stdout + stderr, StringComparison.Ordinal);
            await Kubelet.WaitAsync(pod, pod.SidecarSpec!.StartupProbe, "sidecar started", cluster.LogsAsync, Patience);
            await Kubelet.WaitAsync(pod, pod.AppSpec.ReadinessProbe, "app ready through its sidecar", cluster.LogsAsync, Patience);
        }

        var initSpec = productpage.Published.Deployment.Spec.Template.Spec.InitContainers[0];
        var proxyUid = initSpec.Args[initSpec.Args.IndexOf("--proxy-uid") + 1];
        var proxyGid = initSpec.Args[initSpec.Args.IndexOf("--proxy-gid") + 1];

        // The rules are in the pod's network namespace, read by iptables-save from the sidecar's
        // image (both backends: the init container chose the one the namespace's rules are in).
        var (saveExit, rules) = DockerEnvironment.Run("docker", "run", "--rm", "--network", "container:" + productpage.App.Id,
            "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_RAW", "--user", "0", "--entrypoint", "sh",
            productpage.Published.Sidecar.Image, "-c", "iptables-legacy-save -t nat 2>/dev/null; iptables-nft-save -t nat");
        Assert.True(saveExit == 0, rules);
        foreach (var rule in new[]
        {
            "-A PREROUTING -p tcp -j MESH_INBOUND", "-A OUTPUT -p tcp -j MESH_OUTPUT", $"-m owner --uid-owner {proxyUid} -j RETURN",
            $"-m owner --gid-owner {proxyGid} -j RETURN", "-A MESH_REDIRECT -p tcp -j REDIRECT --to-ports 15001", "-A MESH_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006",
        })
        {
            Assert.True(rules.Contains(rule, StringComparison.Ordinal), $"the pod's nat table has no '{rule}':\n{rules}");
        }

        // The sidecar runs as the user and group the rules exclude; the app as its image's user, which they capture.
        Assert.Equal(proxyUid, (await productpage.Sidecar!.ExecAsync(["id", "-u"])).Stdout.Trim());
        Assert.Equal(proxyGid, (await productpage.Sidecar.ExecAsync(["id", "-g"])).Stdout.Trim());
        var appUid = (await productpage.App.ExecAsync(["id", "-u"])).Stdout.Trim();
        Assert.True(appUid == ManifestContainer.ImageUser(productpage.AppSpec.Image) && appUid != proxyUid, $"productpage's app runs as {appUid}");

        // details' service address as productpage's sidecar holds it (what its DNS proxy answers for `details`).
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        var admin = productpage.Url(KubernetesAdminPort, "/");
        var addresses = new Dictionary<string, string>();
        await Poll.UntilAsync("productpage's sidecar holds details' service address",
            async () => await SidecarAdmin.ServiceAddressesAsync(client, admin, addresses) && addresses.ContainsKey(DetailsService),
            () => string.Join(", ", addresses), Patience);
        var vip = addresses[DetailsService];

        // The app's own plaintext HTTP to that address (bash's /dev/tcp, as uid 1654 in the app
        // container): captured by its sidecar, routed to details over mTLS — under STRICT.
        var request = "GET /details/0 HTTP/1.1\r\nHost: details\r\nConnection: close\r\n\r\n";
        var throughMesh = await Poll.ForAsync("the app's request to details' service address",
            () => SendFromAppAsync(productpage, vip, 9080, request), r => r.Contains("HTTP/1.1 200", StringComparison.Ordinal), r => r + "\n" + cluster.LogsAsync().GetAwaiter().GetResult(), Patience);
        Assert.Contains("William Shakespeare", throughMesh, StringComparison.Ordinal);
        var edge = await Poll.ForAsync("details' sidecar counts the request from productpage, mutual TLS",
            () => EdgesAsync(client, details, "destination"), edges => edges.Any(e => IsFromProductPage(e) && e.GetProperty("requests").GetInt64() >= 1),
            edges => string.Join('\n', edges), Patience);
        Assert.Contains(edge, e => IsFromProductPage(e) && e.GetProperty("security_policy").GetString() == "mutual_tls");

        // The same bytes straight to details' pod — its sidecar's inbound port, or its app's port
        // (the inbound capture takes that one): plaintext, which STRICT refuses. The app cannot go around the mesh.
        var inbound = int.Parse(details.Published.SidecarSetting("Mesh__Inbound__0__ListenPort"), System.Globalization.CultureInfo.InvariantCulture);
        foreach (var port in new[] { inbound, details.AppSpec.Ports[0].ContainerPort })
        {
            var straight = await SendFromAppAsync(productpage, details.Address.ToString(), port, request);
            Assert.False(straight.Contains("Shakespeare", StringComparison.Ordinal), $"plaintext to details' pod on {port} was answered:\n{straight}");
        }

        // Outside the mesh (a listener on the host's address of the pod network): the app's
        // connection is passed through by its sidecar (ALLOW_ANY), which reports it as the source.
        using var outside = new TcpListener(cluster.HostAddress, 0);
        outside.Start();
        var outsidePort = ((IPEndPoint)outside.LocalEndpoint).Port;
        var accepted = AnswerOnceAsync(outside, "outside the pod\n");
        Assert.Contains("outside the pod", await SendFromAppAsync(productpage, cluster.HostAddress.ToString(), outsidePort, ""), StringComparison.Ordinal);
        await accepted;
        await Poll.ForAsync("productpage's sidecar counts the connection that left the mesh",
            () => EdgesAsync(client, productpage, "source"),
            edges => edges.Any(e => e.GetProperty("protocol").GetString() == "tcp" && (e.GetProperty("destination_service").GetString() ?? "").Contains(cluster.HostAddress.ToString(), StringComparison.Ordinal)
                && e.GetProperty("connections_opened").GetInt64() >= 1),
            edges => string.Join('\n', edges), Patience);
    }

    private const int KubernetesAdminPort = 15021;
    private const string DetailsService = "details.bookinfo.svc.cluster.local";

    private static bool IsFromProductPage(JsonElement edge) => edge.GetProperty("source").GetProperty("workload").GetString() == "productpage";

    // A connection made by the app container's own process (bash's /dev/tcp), as the app's user:
    // the request written, whatever comes back until the peer closes (or 20 s pass).
    private static async Task<string> SendFromAppAsync(DockerPod pod, string address, int port, string request)
    {
        var script = $"exec 3<>/dev/tcp/{address}/{port} || exit 1; printf '%s' \"$REQUEST\" >&3; timeout 20 cat <&3";
        var result = await pod.App.ExecAsync(["env", $"REQUEST={request}", "bash", "-c", script]);
        return result.Stdout + result.Stderr;
    }

    private static async Task<List<JsonElement>> EdgesAsync(HttpClient client, DockerPod pod, string reporter)
    {
        try
        {
            using var stats = JsonDocument.Parse(await client.GetStringAsync(pod.Url(KubernetesAdminPort, "/stats")));
            return [.. stats.RootElement.GetProperty("edges").EnumerateArray().Where(e => e.GetProperty("reporter").GetString() == reporter).Select(e => e.Clone())];
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return [];
        }
    }

    private static async Task AnswerOnceAsync(TcpListener listener, string text)
    {
        using var socket = await listener.AcceptSocketAsync();
        await socket.SendAsync(Encoding.ASCII.GetBytes(text));
        socket.Shutdown(SocketShutdown.Both);
    }
}
