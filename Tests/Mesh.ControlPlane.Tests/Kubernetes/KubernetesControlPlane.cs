using System.Net.Http.Headers;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// A real control plane in Kubernetes mode (the production composition, ports 0) whose API server
/// is a <see cref="FakeKubernetesApiServer"/>; settings come in as command-line arguments, exactly
/// as environment variables reach it on a cluster.
/// </summary>
internal sealed class KubernetesControlPlane : IAsyncDisposable
{
    private readonly string _root;

    private KubernetesControlPlane(WebApplication app, string root)
    {
        App = app;
        _root = root;
        var listeners = app.Services.GetRequiredService<ControlPlaneListeners>();
        Admin = new HttpClient { BaseAddress = listeners.AdminUri, Timeout = TimeSpan.FromSeconds(10) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-admin-token");
        Channel = GrpcChannel.ForAddress(listeners.GrpcUri);
        Discovery = new MeshDiscovery.MeshDiscoveryClient(Channel);
    }

    public WebApplication App { get; }

    public HttpClient Admin { get; }

    public GrpcChannel Channel { get; }

    public MeshDiscovery.MeshDiscoveryClient Discovery { get; }

    public string DataDirectory => Path.Combine(_root, "data");

    public ConfigStore Store => App.Services.GetRequiredService<ConfigStore>();

    public static async Task<KubernetesControlPlane> StartAsync(FakeKubernetesApiServer api, params string[] extra)
    {
        var root = Path.Combine(Path.GetTempPath(), "mesh-cp-k8s-tests", Guid.NewGuid().ToString("N"));
        string[] args =
        [
            "--ControlPlane:Mode=Kubernetes",
            $"--ControlPlane:Kubernetes:ApiServer={api.Address}",
            "--ControlPlane:Kubernetes:Namespace=istio-system",
            "--ControlPlane:Kubernetes:Debounce=00:00:00.020",
            "--ControlPlane:Kubernetes:RetryDelay=00:00:00.050",
            "--ControlPlane:AdminPort=0",
            "--ControlPlane:GrpcPort=0",
            $"--ControlPlane:DataDirectory={Path.Combine(root, "data")}",
            "--ControlPlane:AdminToken=test-admin-token",
            "--ControlPlane:PushDebounce=00:00:00.020",
            "--ControlPlane:PushMaxDelay=00:00:00.200",
            .. extra,
        ];
        var app = ControlPlaneHost.Create(args, builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new KubernetesControlPlane(app, root);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Admin.Dispose();
        Channel.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
