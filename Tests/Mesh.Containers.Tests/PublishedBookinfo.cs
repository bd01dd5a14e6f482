using Aspire.Hosting;
using Mesh.Containers.Tests.Docker;
using Mesh.Containers.Tests.Pods;
using Mesh.Hosting;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Hosting.Tests.Pods;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Containers.Tests;

/// <summary>
/// Bookinfo published once per test class by the real Kubernetes publish step (the app model and
/// config directory of the Kubernetes publish tests: Istio's gateway, destination rules, v1
/// routes, mesh-wide STRICT mTLS), and the images its Deployments name, built with
/// `dotnet publish -t:PublishContainer`. Every pod the tests run comes from these manifests.
/// </summary>
public class PublishedBookinfo : IAsyncLifetime
{
    public const string ConfigMountPath = "/etc/mesh/config";

    private readonly TemporaryDirectory _root = new();
    private MeshControlPlaneResource? _mesh;

    /// <summary>The AppHost's config directory the publish step reads.</summary>
    private string AppHostConfigDirectory => _root.Combine("mesh-config");

    /// <summary>The control plane's config: the custom resources the publish step wrote (deploy/mesh-config/).</summary>
    public string ConfigDirectory => _root.Combine("controlplane-config");

    public string DataDirectory => _root.Combine("mesh-data");

    internal PublishedPod ControlPlane { get; private set; } = null!;

    internal PublishedPod Gateway { get; private set; } = null!;

    /// <summary>The meshed workloads by Deployment name (details, ratings, reviews-v1…v3, productpage).</summary>
    internal IReadOnlyDictionary<string, PublishedPod> Workloads { get; private set; } = new Dictionary<string, PublishedPod>();

    public IReadOnlyDictionary<string, string> Images { get; private set; } = new Dictionary<string, string>();

    /// <summary>More settings of the publish step (Mesh:Kubernetes:*), as command-line configuration.</summary>
    protected virtual string[] PublishSettings => [];

    public async Task InitializeAsync()
    {
        if (DockerEnvironment.Unavailable is not null)
        {
            return;
        }

        BookinfoPublishFixture.CreateConfigDirectory(AppHostConfigDirectory);
        var output = _root.Combine("deploy");
        var builder = BookinfoAppModel.Create(AppHostConfigDirectory, Publisher.Args(output,
            [$"--Mesh:Kubernetes:Tag={MeshImages.Tag}", "--Mesh:Kubernetes:Namespace=bookinfo", .. PublishSettings]));
        _mesh = builder.Resources.OfType<MeshControlPlaneResource>().Single();
        _mesh.DataDirectory = DataDirectory;
        var log = await Publisher.PublishAsync(builder);
        if (!File.Exists(Path.Combine(output, "controlplane", "deployment.yaml")))
        {
            throw new InvalidOperationException("the publish step wrote no manifests:\n" + log);
        }

        ControlPlane = new PublishedPod(File.ReadAllText(Path.Combine(output, "controlplane", "deployment.yaml")));
        Gateway = new PublishedPod(File.ReadAllText(Path.Combine(output, "gateways", "deployment-ingressgateway.yaml")));
        Workloads = Directory.EnumerateFiles(Path.Combine(output, "workloads"), "deployment-*.yaml")
            .Select(f => new PublishedPod(File.ReadAllText(f)))
            .ToDictionary(p => p.Deployment.Metadata.Name, StringComparer.Ordinal);
        Images = await MeshImages.EnsureBuiltAsync();

        // What a cluster would hold: the published custom resources, in the workloads' namespace.
        // The Gateway API Gateway's own proxy is not among the pods the tests run, so its Gateway
        // and HTTPRoute stay out (locally the control plane would try to start that proxy itself).
        Directory.CreateDirectory(ConfigDirectory);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(output, "mesh-config"), "*.yaml"))
        {
            var name = Path.GetFileName(file);
            if (!name.Contains(".gateway.networking.k8s.io-", StringComparison.Ordinal) && !name.StartsWith("httproute-", StringComparison.Ordinal) && name != "kustomization.yaml")
            {
                File.Copy(file, Path.Combine(ConfigDirectory, name));
            }
        }
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The projected token a pod's proxy presents: a bootstrap token for the pod's own identity.</summary>
    internal string TokenFor(PublishedPod pod) =>
        MeshBootstrapCredentials.TokenFor(_mesh!, pod.Namespace, pod.ServiceAccount, pod.PodName);

    /// <summary>
    /// The control plane's pod. There is no Kubernetes API server here, so instead of its
    /// Kubernetes mode (custom resources, TokenReview, the CA Secret) it watches the config
    /// directory (mounted read-only) and accepts bootstrap tokens (the key in its data volume) —
    /// the local mode; image, ports, user, probes, data volume and the rest of its environment
    /// are the manifest's. The data volume is the fixture's folder, so it outlives a container restart.
    /// </summary>
    internal Task<DockerPod> StartControlPlaneAsync(DockerCluster cluster)
    {
        MeshBootstrapCredentials.EnsureKeyFile(_mesh!);
        var dataMount = ControlPlane.App.VolumeMounts.Single();
        var environment = ControlPlane.App.Env
            .Where(e => e.Name == "ControlPlane__Mode" || e.Name.StartsWith("ControlPlane__Kubernetes__", StringComparison.Ordinal))
            .ToDictionary(e => e.Name, string? (_) => null);
        environment["ControlPlane__ConfigDirectory"] = ConfigMountPath;
        environment["ControlPlane__Security__BootstrapKeyFile"] = Path.Combine(dataMount.MountPath, MeshBootstrapCredentials.KeyFileName);
        var address = new Uri(Workloads["details"].SidecarSetting("Mesh__ControlPlane__Address"));
        return cluster.StartAsync(
            ControlPlane,
            environment: environment,
            volumeDirectories: new Dictionary<string, string> { [dataMount.Name] = DataDirectory },
            configure: container => container.WithBindMount(ConfigDirectory, ConfigMountPath, AccessMode.ReadOnly),
            aliases: address.Host);
    }

    /// <summary>Writes one published custom resource file of the control plane's config, as `kubectl apply` replaces an object.</summary>
    public void WriteConfig(string file, string yaml)
    {
        var path = Path.Combine(ConfigDirectory, file);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"the publish step wrote no {file}");
        }

        File.WriteAllText(path, yaml);
    }
}

/// <summary>Bookinfo published with <c>Mesh:Kubernetes:Capture=iptables</c>: every meshed pod has the capture init container (docs/kubernetes.md).</summary>
public sealed class PublishedBookinfoWithCapture : PublishedBookinfo
{
    protected override string[] PublishSettings => ["--Mesh:Kubernetes:Capture=iptables"];
}
