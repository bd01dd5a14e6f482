using DockerModels = global::Docker.DotNet.Models;
using System.Net;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Mesh.Containers.Tests.Docker;
using Mesh.Hosting.Tests.Infrastructure;
using Mesh.Hosting.Tests.Pods;

namespace Mesh.Containers.Tests.Pods;

/// <summary>
/// A Docker network standing in for the cluster's pod network, and the pods the test runs on it.
/// Pods are shaped by their published Deployments: the app container owns the pod's network
/// namespace and the sidecar joins it (<c>--network container:&lt;app&gt;</c>), the pod IP is the
/// app container's address, the pod's volumes are host folders (a projected service account token
/// becomes a bootstrap token file for the pod's identity, which the control plane accepts outside
/// Kubernetes). Everything — containers, network, folders — is removed on dispose, also after a failure.
/// </summary>
internal sealed class DockerCluster : IAsyncDisposable
{
    private readonly INetwork _network;
    private readonly TemporaryDirectory _volumes = new();
    private readonly List<IContainer> _containers = [];
    private readonly List<DockerPod> _pods = [];

    private readonly string _subnetPrefix;
    private int _nextHost = 10;

    private DockerCluster(INetwork network, string subnetPrefix)
    {
        _network = network;
        _subnetPrefix = subnetPrefix;
    }

    public IReadOnlyList<DockerPod> Pods => _pods;

    /// <summary>The network's gateway: the host's address on the pod network, where a test listens for what leaves a pod.</summary>
    public IPAddress HostAddress => IPAddress.Parse(_subnetPrefix + "1");

    /// <summary>
    /// Runs <paramref name="test"/> in a new cluster, removed afterwards; an error other than an
    /// assertion's carries every container's log, which is what tells a pod's failure apart.
    /// </summary>
    public static async Task RunAsync(Func<DockerCluster, Task> test)
    {
        await using var cluster = await CreateAsync();
        try
        {
            await test(cluster);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n{await cluster.LogsAsync()}", ex);
        }
    }

    /// <summary>
    /// A bridge network with a subnet of its own (a free 10.252.x.0/24), so that pod IPs are
    /// assigned before a pod's containers start, as the CNI assigns them: a container may read its
    /// pod IP from the environment (status.podIP).
    /// </summary>
    public static async Task<DockerCluster> CreateAsync()
    {
        var name = "mesh-ct-" + Guid.NewGuid().ToString("N")[..10];
        var first = Random.Shared.Next(256);
        for (var attempt = 0; ; attempt++)
        {
            var prefix = $"10.252.{(first + attempt) % 256}.";
            var network = new NetworkBuilder()
                .WithName(name)
                .WithCreateParameterModifier(parameters => parameters.IPAM = new DockerModels.IPAM
                {
                    Config = [new DockerModels.IPAMConfig { Subnet = prefix + "0/24", Gateway = prefix + "1" }],
                })
                .Build();
            try
            {
                await network.CreateAsync();
                return new DockerCluster(network, prefix);
            }
            catch (global::Docker.DotNet.DockerApiException ex) when (ex.Message.Contains("overlap", StringComparison.OrdinalIgnoreCase) && attempt < 255)
            {
                // Another network (another test run, another engineer) has this subnet: next one.
            }
        }
    }

    /// <summary>Starts a pod of a published Deployment: the app container, then its sidecar in the app's network namespace.</summary>
    /// <param name="token">The content of the pod's projected service account token (the proxy's credential).</param>
    /// <param name="environment">Changes to the app container's published environment (null removes a variable); the reason belongs in the caller.</param>
    /// <param name="volumeDirectories">Host folders for some of the pod's volumes (by name), kept across container restarts; others are fresh.</param>
    /// <param name="configure">Anything else the app container needs that its manifest does not say (the caller says why).</param>
    /// <param name="aliases">DNS names of the pod on the network (a Service name the manifests point at).</param>
    public async Task<DockerPod> StartAsync(
        PublishedPod pod,
        string? token = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        IReadOnlyDictionary<string, string>? volumeDirectories = null,
        Func<ContainerBuilder, ContainerBuilder>? configure = null,
        params string[] aliases)
    {
        var spec = pod.Deployment.Spec.Template.Spec;

        var address = IPAddress.Parse(_subnetPrefix + _nextHost++.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var volumes = PrepareVolumes(pod, token, volumeDirectories);
        var networkName = _network.Name;
        var appBuilder = ManifestContainer.Create(pod.App, Resolve(pod, pod.App, address, environment), volumes)
            .WithName($"{_network.Name}-{pod.PodName}")
            .WithHostname(pod.PodName)
            .WithNetwork(_network)
            .WithNetworkAliases(aliases)
            .WithCreateParameterModifier(parameters => parameters.NetworkingConfig!.EndpointsConfig[networkName].IPAMConfig =
                new DockerModels.EndpointIPAMConfig { IPv4Address = address.ToString() });
        var app = (configure?.Invoke(appBuilder) ?? appBuilder).Build();
        _containers.Add(app);
        await app.StartAsync();

        // The kubelet's order: plain init containers (the capture init container) run to completion,
        // each of them successfully, before the native sidecar starts; all in the app's network namespace.
        IContainer? sidecar = null;
        var initContainers = new List<IContainer>();
        var appId = app.Id;
        foreach (var (init, i) in (spec.InitContainers ?? []).Where(c => c.RestartPolicy != "Always").Select((c, i) => (c, i)))
        {
            var container = ManifestContainer.Create(init, pod.Environment(init, address), volumes)
                .WithName($"{_network.Name}-{pod.PodName}-init-{i}")
                .WithCreateParameterModifier(parameters => (parameters.HostConfig ??= new()).NetworkMode = "container:" + appId)
                .WithWaitStrategy(Wait.ForUnixContainer().AddCustomWaitStrategy(new UntilExited(), o => o.WithMode(WaitStrategyMode.OneShot)))
                .Build();
            _containers.Add(container);
            initContainers.Add(container);
            await container.StartAsync();
            if (await container.GetExitCodeAsync() is var exitCode and not 0)
            {
                var (stdout, stderr) = await container.GetLogsAsync();
                throw new InvalidOperationException($"{pod.PodName}: init container {init.Name} exited with {exitCode}:\n{stdout}{stderr}");
            }
        }

        if (spec.InitContainers?.Any(c => c.RestartPolicy == "Always") == true)
        {
            sidecar = ManifestContainer.Create(pod.Sidecar, pod.Environment(pod.Sidecar, address), volumes)
                .WithName($"{_network.Name}-{pod.PodName}-sidecar")
                .WithCreateParameterModifier(parameters => (parameters.HostConfig ??= new()).NetworkMode = "container:" + appId)
                .Build();
            _containers.Add(sidecar);
            await sidecar.StartAsync();
        }

        var running = new DockerPod(pod, app, sidecar, address, initContainers);
        _pods.Add(running);
        return running;
    }

    /// <summary>The last lines of every container's output, for failure messages.</summary>
    public async Task<string> LogsAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var pod in _pods)
        {
            foreach (var (name, container) in pod.Containers)
            {
                var (stdout, stderr) = await container.GetLogsAsync();
                var lines = (stdout + stderr).Split('\n');
                text.Append("--- ").Append(name).Append('\n').AppendJoin('\n', lines.TakeLast(25)).Append('\n');
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in Enumerable.Reverse(_containers))
        {
            await container.DisposeAsync();
        }

        await _network.DeleteAsync();
        await _network.DisposeAsync();
        _volumes.Dispose();
    }

    private static Dictionary<string, string> Resolve(PublishedPod pod, k8s.Models.V1Container container, IPAddress address, IReadOnlyDictionary<string, string?>? changes)
    {
        var environment = pod.Environment(container, address);
        foreach (var (name, value) in changes ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                environment.Remove(name);
            }
            else
            {
                environment[name] = value;
            }
        }

        return environment;
    }

    // A pod's volumes as host folders owned by the user its containers run as (what fsGroup and
    // the kubelet's emptyDir permissions give a non-root container).
    private Dictionary<string, string> PrepareVolumes(PublishedPod pod, string? token, IReadOnlyDictionary<string, string>? given)
    {
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        var user = ManifestContainer.ImageUser(pod.App.Image);
        foreach (var volume in pod.Deployment.Spec.Template.Spec.Volumes ?? [])
        {
            var folder = given?.GetValueOrDefault(volume.Name) ?? _volumes.Combine(pod.PodName, volume.Name);
            Directory.CreateDirectory(folder);
            if (volume.Projected?.Sources.SingleOrDefault()?.ServiceAccountToken is { } projected)
            {
                File.WriteAllText(Path.Combine(folder, projected.Path), token ?? throw new InvalidOperationException($"{pod.PodName} mounts a service account token: give the pod one"));
            }
            else if (volume.EmptyDir is null)
            {
                throw new InvalidOperationException($"{pod.PodName}: volume {volume.Name} is neither an emptyDir nor a projected token, which this runner does not provide");
            }

            var (exitCode, output) = DockerEnvironment.Run("chown", "-R", $"{user}:{user}", folder);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"chown {user} {folder}: {output}");
            }

            folders[volume.Name] = folder;
        }

        return folders;
    }

    /// <summary>An init container is ready when it has run to completion (the exit code is read after).</summary>
    private sealed class UntilExited : IWaitUntil
    {
        public async Task<bool> UntilAsync(IContainer container)
        {
            await container.GetExitCodeAsync();
            return true;
        }
    }
}
