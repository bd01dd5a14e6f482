using System.Net.Http.Headers;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>
/// A real control plane on 127.0.0.1 with OS-picked ports, temporary config and data directories,
/// an admin client carrying the token and a gRPC channel to the discovery port.
/// </summary>
internal sealed class TestControlPlane : IAsyncDisposable
{
    public const string Token = "test-admin-token";

    private readonly TestControlPlaneOptions _options;
    private bool _stopped;
    private bool _handedOver;

    private TestControlPlane(TestControlPlaneOptions options, WebApplication app)
    {
        _options = options;
        App = app;
        var listeners = app.Services.GetRequiredService<ControlPlaneListeners>();
        AdminUri = listeners.AdminUri;
        GrpcUri = listeners.GrpcUri;
        Admin = new HttpClient { BaseAddress = AdminUri, Timeout = TimeSpan.FromSeconds(10) };
        if (options.AdminToken is not null)
        {
            Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.AdminToken);
        }

        Channel = GrpcChannel.ForAddress(GrpcUri);
        Discovery = new MeshDiscovery.MeshDiscoveryClient(Channel);
    }

    public WebApplication App { get; }

    public Uri AdminUri { get; }

    public Uri GrpcUri { get; }

    public HttpClient Admin { get; }

    public GrpcChannel Channel { get; }

    public MeshDiscovery.MeshDiscoveryClient Discovery { get; }

    public string ConfigDirectory => _options.ConfigDirectory;

    public string DataDirectory => _options.DataDirectory;

    public static async Task<TestControlPlane> StartAsync(TestControlPlaneOptions? options = null)
    {
        options ??= new TestControlPlaneOptions();
        Directory.CreateDirectory(options.ConfigDirectory);
        var settings = new Dictionary<string, string?>
        {
            ["ControlPlane:AdminPort"] = "0",
            ["ControlPlane:GrpcPort"] = "0",
            ["ControlPlane:ConfigDirectory"] = options.ConfigDirectory,
            ["ControlPlane:DataDirectory"] = options.DataDirectory,
            ["ControlPlane:AdminToken"] = options.AdminToken ?? "",
            ["ControlPlane:FileDebounce"] = "00:00:00.050",
            ["ControlPlane:PushDebounce"] = "00:00:00.020",
            ["ControlPlane:PushMaxDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var app = ControlPlaneHost.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (options.SnapshotBuilder is { } snapshotBuilder)
            {
                builder.Services.Replace(ServiceDescriptor.Singleton(snapshotBuilder));
            }

            if (options.Time is { } time)
            {
                builder.Services.Replace(ServiceDescriptor.Singleton(time));
            }
        });
        await app.StartAsync();
        return new TestControlPlane(options, app);
    }

    /// <summary>Stops this control plane and starts a new one on the same directories (new ports).</summary>
    public async Task<TestControlPlane> RestartAsync()
    {
        await StopAsync();
        _handedOver = true;
        return await StartAsync(_options);
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public SnapshotCache Cache => Service<SnapshotCache>();

    public TestProxy Proxy(string id, Action<Contracts.Snapshots.Node>? customize = null) => new(Discovery, TestProxy.NodeFor(id, customize));

    /// <summary>Writes a file in the config directory the way a simple editor does (in place).</summary>
    public void WriteConfigFile(string relativePath, string content)
    {
        var path = Path.Combine(ConfigDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await App.StopAsync();
        await App.DisposeAsync();
        Admin.Dispose();
        Channel.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_handedOver)
        {
            TryDelete(_options.Root);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed record TestControlPlaneOptions
{
    public TestControlPlaneOptions()
    {
        Root = Path.Combine(Path.GetTempPath(), "mesh-cp-tests", Guid.NewGuid().ToString("N"));
    }

    public string Root { get; init; }

    public string ConfigDirectory => Path.Combine(Root, "config");

    public string DataDirectory => Path.Combine(Root, "data");

    public string? AdminToken { get; init; } = TestControlPlane.Token;

    /// <summary>Null uses the production snapshot builder.</summary>
    public IProxySnapshotBuilder? SnapshotBuilder { get; init; } = new TestSnapshotBuilder();

    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The control plane's clock (push debounce, slow-proxy and ACK timeouts); null is the system clock.</summary>
    public TimeProvider? Time { get; init; }
}
