using k8s;
using k8s.Models;
using Mesh.Hosting.Tests.Capture;
using Mesh.Hosting.Tests.Infrastructure;

namespace Mesh.Hosting.Tests;

/// <summary>Bookinfo published with <c>Mesh:Kubernetes:Capture=iptables</c>, once for the class.</summary>
public sealed class CapturePublishFixture : IAsyncLifetime
{
    private readonly TemporaryDirectory _root = new();

    public string Output => _root.Combine("deploy");

    public IReadOnlyDictionary<string, string> Files { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        BookinfoPublishFixture.CreateConfigDirectory(_root.Combine("mesh-config"));
        await Publisher.PublishAsync(BookinfoAppModel.Create(_root.Combine("mesh-config"), Publisher.Args(Output, [.. BookinfoPublishFixture.Settings, "--Mesh:Kubernetes:Capture=iptables"])));
        Files = BookinfoPublishFixture.ReadTree(Output);
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Transparent capture in the published pods (docs/kubernetes.md): every meshed Deployment gets
/// Istio's istio-init — an init container from the sidecar's image running the sidecar program's
/// <c>capture install</c> with NET_ADMIN/NET_RAW, before the sidecar — and its sidecar runs the
/// capture listeners and DNS proxy as uid/gid 1337, the user the rules exclude. Everything else is
/// what the publish without capture writes. The manifests pass the same checks as the golden
/// ones, and the sidecar program accepts the published command.
/// </summary>
public sealed class CapturePublishTests(CapturePublishFixture published) : IClassFixture<CapturePublishFixture>
{
    private static string GoldenDirectory => Path.Combine(RepositoryPaths.Golden, "capture");

    private IEnumerable<KeyValuePair<string, string>> Deployments =>
        published.Files.Where(f => f.Key.StartsWith("workloads/deployment-", StringComparison.Ordinal));

    [Fact]
    public void A_meshed_deployment_matches_its_golden_file_and_nothing_but_the_deployments_changes()
    {
        const string file = "workloads/deployment-details.yaml";
        var golden = Path.Combine(GoldenDirectory, "deployment-details.yaml");
        if (Environment.GetEnvironmentVariable("MESH_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(GoldenDirectory);
            File.WriteAllText(golden, published.Files[file]);
        }

        Assert.Equal(File.ReadAllText(golden), published.Files[file]);
        var withoutCapture = BookinfoPublishFixture.ReadTree(Path.Combine(RepositoryPaths.Golden, "bookinfo"));
        Assert.Equal(withoutCapture.Keys.Order(StringComparer.Ordinal), published.Files.Keys.Order(StringComparer.Ordinal));
        Assert.All(withoutCapture.Where(f => !f.Key.StartsWith("workloads/deployment-", StringComparison.Ordinal)), f => Assert.Equal(f.Value, published.Files[f.Key]));
    }

    [Fact]
    public void Every_meshed_pod_installs_capture_before_its_sidecar_which_runs_as_the_excluded_user()
    {
        Assert.Equal(6, Deployments.Count());
        foreach (var (path, text) in Deployments)
        {
            var pod = KubernetesYaml.Deserialize<V1Deployment>(text).Spec.Template.Spec;
            Assert.Equal(["mesh-init", "mesh-sidecar"], pod.InitContainers.Select(c => c.Name));
            var (init, sidecar) = (pod.InitContainers[0], pod.InitContainers[1]);

            Assert.Equal(sidecar.Image, init.Image);
            Assert.Null(init.RestartPolicy); // a plain init container: it runs to completion first
            Assert.Equal(["NET_ADMIN", "NET_RAW"], init.SecurityContext.Capabilities.Add);
            Assert.Equal(["ALL"], init.SecurityContext.Capabilities.Drop);
            Assert.Equal((0L, false, false), (init.SecurityContext.RunAsUser!.Value, init.SecurityContext.Privileged!.Value, init.SecurityContext.AllowPrivilegeEscalation!.Value));

            // The sidecar's own ports are not captured: its admin port (the kubelet) and its inbound listeners (the Service's targetPorts).
            var inboundListeners = sidecar.Env.Where(e => e.Name.StartsWith("Mesh__Inbound__", StringComparison.Ordinal) && e.Name.EndsWith("__ListenPort", StringComparison.Ordinal)).Select(e => e.Value);
            var notCaptured = init.Args[init.Args.IndexOf("--istio-local-exclude-ports") + 1].Split(',');
            Assert.Equal(["15021", .. inboundListeners.Order(StringComparer.Ordinal)], notCaptured);
            Assert.Equal(["capture", "install"], init.Args.Take(2));
            Assert.Equal("1337", init.Args[init.Args.IndexOf("--proxy-uid") + 1]);
            Assert.Contains("--redirect-dns", init.Args);

            Assert.Equal((1337L, 1337L, true), (sidecar.SecurityContext.RunAsUser!.Value, sidecar.SecurityContext.RunAsGroup!.Value, sidecar.SecurityContext.RunAsNonRoot!.Value));
            var env = sidecar.Env.ToDictionary(e => e.Name, e => e.Value);
            Assert.Equal(("true", "15001", "15006"), (env["Mesh__Capture__Enabled"], env["Mesh__Capture__OutboundPort"], env["Mesh__Capture__InboundPort"]));
            Assert.Equal(("true", "15053"), (env["Mesh__Dns__Enabled"], env["Mesh__Dns__Port"]));
            Assert.True(pod.Containers.Single().SecurityContext.RunAsUser is null, $"{path}: the app must not run as the excluded user");
        }
    }

    [Fact]
    public async Task The_manifests_pass_the_strict_load_and_the_Kubernetes_OpenAPI_schemas()
    {
        foreach (var (_, text) in Deployments)
        {
            Assert.IsType<V1Deployment>(Assert.Single(KubernetesYaml.LoadAllFromString(text, null, strict: true)));
        }

        var (exitCode, output) = await NodeValidator.RunAsync(Path.Combine(published.Output, "workloads"));
        Assert.True(exitCode == 0, output);
        Assert.Contains(" 0 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sidecar_program_accepts_the_published_capture_command()
    {
        var init = KubernetesYaml.Deserialize<V1Deployment>(published.Files["workloads/deployment-reviews-v1.yaml"]).Spec.Template.Spec.InitContainers[0];

        var (code, script) = await CaptureCommandTests.RunSidecarAsync([.. init.Args, "--dry-run"]);

        Assert.True(code == 0, script);
        Assert.Contains("-A MESH_REDIRECT -p tcp -j REDIRECT --to-ports 15001", script, StringComparison.Ordinal);
        Assert.Contains("-A MESH_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006", script, StringComparison.Ordinal);
        Assert.Contains("--to-ports 15053", script, StringComparison.Ordinal);
        Assert.Contains("--uid-owner 1337", script, StringComparison.Ordinal);
        Assert.Contains("15021", script, StringComparison.Ordinal);
    }
}
