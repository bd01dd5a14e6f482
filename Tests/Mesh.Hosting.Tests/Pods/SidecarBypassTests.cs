using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.Hosting.Tests.Infrastructure;
using Poll = Mesh.Testing.Poll;
using Mesh.Hosting.ApplicationModel;
using Mesh.Testing.Proxy;

namespace Mesh.Hosting.Tests.Pods;

/// <summary>
/// Issue 23's bypass test: the details app and its sidecar run as a pod (own network namespace on
/// a bridge) with the environment the publish step wrote; productpage's sidecar runs as another
/// pod; the control plane runs on the node's bridge address under STRICT mTLS. From the other pod
/// the app's port is refused and the sidecar's port refuses plaintext, while the call through the
/// mesh works; the rewritten probe paths on the sidecar's admin port, called from the node as the
/// kubelet does, report the app's health and fail once the app is stopped.
/// </summary>
public sealed class SidecarBypassTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [PodNetworkFact]
    public async Task Another_pod_cannot_reach_the_app_around_its_sidecar_and_probes_go_through_the_sidecar()
    {
        using var root = new TemporaryDirectory();
        var (mesh, details, productpage) = await PublishAsync(root);
        using var network = PodNetwork.Create();
        var controlPlaneAddress = new Uri(details.SidecarSetting("Mesh__ControlPlane__Address"));
        var hosts = new Dictionary<string, IPAddress> { [controlPlaneAddress.Host] = network.NodeAddress };
        var detailsPod = network.AddPod("details", hosts);
        var clientPod = network.AddPod("productpage", hosts);
        var processes = new List<PodProcess>();
        try
        {
            processes.Add(PodProcess.Start("controlplane", null, DotnetExec("Mesh.ControlPlane"), new Dictionary<string, string>
            {
                ["ControlPlane__BindAddress"] = network.NodeAddress.ToString(),
                ["ControlPlane__GrpcPort"] = controlPlaneAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ControlPlane__AdminPort"] = "0",
                ["ControlPlane__ConfigDirectory"] = mesh.ConfigDirectory,
                ["ControlPlane__DataDirectory"] = mesh.DataDirectory,
                ["ControlPlane__Security__BootstrapKeyFile"] = MeshBootstrapCredentials.EnsureKeyFile(mesh),
                ["ControlPlane__DefaultNamespace"] = details.Namespace,
            }));
            await WaitAsync(() => ConnectsAsync(network.NodeAddress, controlPlaneAddress.Port), "the control plane listens on the bridge", processes);

            var app = PodProcess.Start("details", detailsPod.Namespace, DotnetExec("Bookinfo.Details"), details.Environment(details.App, detailsPod.Address));
            processes.Add(app);
            processes.Add(StartSidecar(mesh, details, detailsPod, root));
            processes.Add(StartSidecar(mesh, productpage, clientPod, root));

            using var kubelet = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            var readiness = new Uri($"http://{detailsPod.Address}:{details.App.ReadinessProbe.HttpGet.Port.Value}{details.App.ReadinessProbe.HttpGet.Path}");
            var liveness = new Uri($"http://{detailsPod.Address}:{details.App.LivenessProbe.HttpGet.Port.Value}{details.App.LivenessProbe.HttpGet.Path}");
            await WaitAsync(async () => await StatusAsync(kubelet, readiness) == 200, $"the kubelet's readiness probe {readiness} passes", processes);
            Assert.Equal(200, await StatusAsync(kubelet, liveness));
            await WaitAsync(async () => await StatusAsync(kubelet, new Uri($"http://{clientPod.Address}:{productpage.SidecarSetting("Mesh__AdminPort")}/ready")) == 200, "the client pod's sidecar is ready", processes);

            // STRICT is the mesh config's: before its first snapshot a sidecar answers 503 ("no mesh configuration received yet").
            await WaitAsync(async () => await StatusAsync(kubelet, new Uri($"http://{detailsPod.Address}:{details.SidecarSetting("Mesh__AdminPort")}/ready")) == 200, "the details pod's sidecar is ready", processes);

            // From the other pod: the app's own port is closed to it (the app listens on loopback)...
            var appPort = details.SidecarSetting("Mesh__Inbound__0__TargetPort");
            var direct = await CurlAsync(clientPod, $"http://{detailsPod.Address}:{appPort}/details/0");
            Assert.True(direct.ExitCode == 7, $"the app port answered another pod: {direct}");

            // ...the sidecar's inbound port refuses plaintext (STRICT)...
            var inboundPort = details.SidecarSetting("Mesh__Inbound__0__ListenPort");
            var plaintext = await CurlAsync(clientPod, $"http://{detailsPod.Address}:{inboundPort}/details/0");
            Assert.True(plaintext.ExitCode != 0, $"the sidecar served plaintext under STRICT: {plaintext}");

            // ...and the mesh path (the client's sidecar, mTLS to the details sidecar, the app on loopback) works.
            var outbound = OutboundPort(productpage, "details");
            (int ExitCode, string Output) meshed = default;
            await WaitAsync(async () => (meshed = await CurlAsync(clientPod, $"http://127.0.0.1:{outbound}/details/0")).ExitCode == 0 && meshed.Output.EndsWith("200", StringComparison.Ordinal), "the call through the mesh succeeds", processes);
            Assert.Contains("\"id\":0", meshed.Output, StringComparison.Ordinal);

            // The kubelet's node is not a way around the sidecar either.
            Assert.False(await ConnectsAsync(detailsPod.Address, int.Parse(appPort, System.Globalization.CultureInfo.InvariantCulture)));

            app.Stop();
            Assert.Equal(500, await StatusAsync(kubelet, readiness));
            Assert.Equal(500, await StatusAsync(kubelet, liveness));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n{string.Join('\n', processes.Select(p => p.Output))}", ex);
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>A pod's sidecar with the published environment and its projected token (a bootstrap token for the pod's identity, as the control plane accepts locally).</summary>
    private static PodProcess StartSidecar(MeshControlPlaneResource mesh, PublishedPod pod, PodNetwork.Pod network, TemporaryDirectory root)
    {
        var tokenPath = pod.SidecarSetting("Mesh__ControlPlane__TokenFile");
        Assert.StartsWith("/var/run/", tokenPath, StringComparison.Ordinal);
        var token = root.Combine(network.Name + "-token", Path.GetFileName(tokenPath));
        Directory.CreateDirectory(Path.GetDirectoryName(token)!);
        File.WriteAllText(token, MeshBootstrapCredentials.TokenFor(mesh, pod.Namespace, pod.ServiceAccount, pod.PodName));
        return PodProcess.Start(network.Name + "-sidecar", network.Namespace, ProxyProgram.Command("Mesh.Sidecar", Program("Mesh.Sidecar")), pod.Environment(pod.Sidecar, network.Address), token, Path.GetDirectoryName(tokenPath));
    }

    /// <summary>Details and a client (productpage) declared as an AppHost declares them, published by the real step.</summary>
    private static async Task<(MeshControlPlaneResource Mesh, PublishedPod Details, PublishedPod ProductPage)> PublishAsync(TemporaryDirectory root)
    {
        var config = root.Combine("mesh-config");
        Directory.CreateDirectory(config);
        File.WriteAllText(Path.Combine(config, "peer-authentication.yaml"), BookinfoPublishFixture.MeshWidePeerAuthentication);
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = Publisher.Args(root.Combine("deploy"), "--Mesh:Kubernetes:Namespace=bookinfo"),
            DisableDashboard = true,
            AssemblyName = typeof(SidecarBypassTests).Assembly.GetName().Name,
        });
        var mesh = builder.AddMeshControlPlane("controlplane")
            .WithConfigDirectory(config)
            .WithDataDirectory(root.Combine("mesh-data"))
            .WithServiceAccountPrefix("bookinfo-")
            .WithDefaultServicePort(9080);
        var details = builder.AddProject("details", RepositoryPaths.Project("SampleApps/Details/Bookinfo.Details.csproj"), launchProfileName: null)
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithSidecar(mesh, app: "details");
        builder.AddProject("productpage", RepositoryPaths.Project("SampleApps/ProductPage/Bookinfo.ProductPage.csproj"), launchProfileName: null)
            .WithHttpEndpoint(port: 9080, name: "http")
            .WithHttpHealthCheck("/health")
            .WithSidecar(mesh, app: "productpage")
            .WithMeshReference(details);

        var log = await Publisher.PublishAsync(builder);
        var workloads = root.Combine("deploy", "workloads");
        Assert.True(File.Exists(Path.Combine(workloads, "deployment-details.yaml")), log);
        return (mesh.Resource,
            new PublishedPod(File.ReadAllText(Path.Combine(workloads, "deployment-details.yaml"))),
            new PublishedPod(File.ReadAllText(Path.Combine(workloads, "deployment-productpage.yaml"))));
    }

    private static string OutboundPort(PublishedPod pod, string service)
    {
        for (var i = 0; ; i++)
        {
            if (pod.SidecarSetting($"Mesh__Outbound__{i}__Host") == service)
            {
                return pod.SidecarSetting($"Mesh__Outbound__{i}__ListenPort");
            }
        }
    }

    private static string[] DotnetExec(string name) => ["dotnet", "exec", Program(name)];

    private static string Program(string name) =>
        typeof(SidecarBypassTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PodProgram:" + name).Value!;

    private static async Task<int> StatusAsync(HttpClient client, Uri uri)
    {
        try
        {
            using var response = await client.GetAsync(uri);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
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

    /// <summary>curl run inside a pod: its exit code (7 = connection refused) and body with the status code last.</summary>
    private static async Task<(int ExitCode, string Output)> CurlAsync(PodNetwork.Pod pod, string url)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", pod.Namespace, "curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}", url })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output).Trim() + error);
    }

    // Waits for an event the test cannot subscribe to (another process becoming ready); a pod
    // process that exits ends the wait at once with every process's output.
    private static Task WaitAsync(Func<Task<bool>> condition, string what, IReadOnlyList<PodProcess> processes) =>
        Poll.UntilAsync(
            what,
            async () => processes.Any(p => p.HasExited)
                ? throw new Xunit.Sdk.XunitException($"a pod process exited before: {what}\n{Output(processes)}")
                : await condition(),
            () => Output(processes),
            Patience);

    private static string Output(IReadOnlyList<PodProcess> processes) => string.Join('\n', processes.Select(p => p.Output));
}
