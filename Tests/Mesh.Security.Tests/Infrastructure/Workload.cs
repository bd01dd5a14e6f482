using System.Globalization;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security;
using Mesh.Proxy.Security.Certificates;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>What to run as one meshed workload.</summary>
public sealed record WorkloadOptions(string App)
{
    public string Version { get; init; } = "v1";

    /// <summary>Node id and workload name; "&lt;app&gt;-&lt;version&gt;" by default.</summary>
    public string? Name { get; init; }

    /// <summary>"bookinfo-&lt;app&gt;" by default, as in Istio's Bookinfo.</summary>
    public string? ServiceAccount { get; init; }

    public string Namespace { get; init; } = "default";

    public int ServicePort { get; init; } = 9080;

    /// <summary>Services this workload calls through its sidecar (outbound listeners on port 9080).</summary>
    public IReadOnlyList<string> Upstreams { get; init; } = [];

    /// <summary>The credential the sidecar presents; a token for its own identity by default.</summary>
    public string? Token { get; init; }

    public TimeSpan? CertificateLifetime { get; init; }

    public Func<HttpContext, Task>? Handler { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>A workload of the test mesh: its app (an <see cref="EchoBackend"/>) and its sidecar, wired like the Sidecar host.</summary>
public sealed class Workload : IAsyncDisposable
{
    private readonly WebApplication _proxy;

    private Workload(WorkloadOptions options, EchoBackend backend, WebApplication proxy)
    {
        Options = options;
        Backend = backend;
        _proxy = proxy;
        Listeners = proxy.Services.GetRequiredService<ListenerSet>();
    }

    public WorkloadOptions Options { get; }

    public string Name => Options.Name ?? $"{Options.App}-{Options.Version}";

    public string ServiceAccount => Options.ServiceAccount ?? $"bookinfo-{Options.App}";

    public string SpiffeId => $"spiffe://cluster.local/ns/{Options.Namespace}/sa/{ServiceAccount}";

    public EchoBackend Backend { get; }

    public ListenerSet Listeners { get; }

    public IServiceProvider Services => _proxy.Services;

    public int InboundPort => Listeners.OfKind(ListenerKind.Inbound).Single().BoundPort;

    public int AdminPort => Listeners.Admin.BoundPort;

    public WorkloadIdentityState Identity => Services.GetRequiredService<WorkloadIdentityState>();

    /// <summary>The snapshot the sidecar is serving (null before the first one).</summary>
    public ProxySnapshot? Snapshot => Services.GetRequiredService<RoutingState>().Current?.Snapshot;

    /// <summary>Where the app calls an upstream service through its sidecar.</summary>
    public Uri Outbound(string service, string pathAndQuery = "/") =>
        new($"http://127.0.0.1:{Listeners.OfKind(ListenerKind.Outbound).Single(l => l.UpstreamHost == service).BoundPort}{pathAndQuery}");

    /// <summary>The sidecar's inbound listener, as another workload (or an attacker) reaches it.</summary>
    public Uri Inbound(string scheme = "http", string pathAndQuery = "/") => new($"{scheme}://127.0.0.1:{InboundPort}{pathAndQuery}");

    public static async Task<Workload> StartAsync(SecureControlPlane controlPlane, WorkloadOptions options, bool waitReady = true)
    {
        var backend = await EchoBackend.StartAsync(options.App, options.Handler);
        var name = options.Name ?? $"{options.App}-{options.Version}";
        var serviceAccount = options.ServiceAccount ?? $"bookinfo-{options.App}";
        var settings = new Dictionary<string, string?>
        {
            ["Mesh:ControlPlane:Address"] = controlPlane.GrpcUri.ToString(),
            ["Mesh:ControlPlane:Token"] = options.Token ?? SecureControlPlane.Token(serviceAccount, name, options.Namespace),
            ["Mesh:Node:Id"] = name,
            ["Mesh:Node:Workload"] = name,
            ["Mesh:Node:Namespace"] = options.Namespace,
            ["Mesh:Node:ServiceAccount"] = serviceAccount,
            ["Mesh:Node:Labels:app"] = options.App,
            ["Mesh:Node:Labels:version"] = options.Version,
            ["Mesh:Service"] = options.App,
            ["Mesh:AdminPort"] = "0",
            ["Mesh:Inbound:0:Name"] = "http",
            ["Mesh:Inbound:0:Port"] = options.ServicePort.ToString(CultureInfo.InvariantCulture),
            ["Mesh:Inbound:0:TargetPort"] = backend.Port.ToString(CultureInfo.InvariantCulture),
            ["Mesh:Inbound:0:ListenPort"] = "0",
        };
        for (var i = 0; i < options.Upstreams.Count; i++)
        {
            settings[$"Mesh:Outbound:{i}:Host"] = options.Upstreams[i];
            settings[$"Mesh:Outbound:{i}:Port"] = "9080";
        }

        if (options.CertificateLifetime is { } lifetime)
        {
            settings["Mesh:Security:CertificateLifetime"] = lifetime.ToString("c", CultureInfo.InvariantCulture);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            builder.Configuration["Logging:LogLevel:Mesh"] = "Debug";
        }

        builder.AddMeshProxy(MeshProxyMode.Sidecar)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>();
        options.ConfigureServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapMeshProxy();
        await app.StartAsync();
        var workload = new Workload(options, backend, app);
        if (waitReady)
        {
            await workload.WaitReadyAsync();
        }

        return workload;
    }

    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        using var client = TestClients.Plain();
        await Poll.UntilAsync(
            async () => (await client.GetAsync($"http://127.0.0.1:{AdminPort}/ready")).IsSuccessStatusCode,
            $"{Name}'s sidecar to be ready",
            timeout);
    }

    /// <summary>Waits until the sidecar serves a snapshot that satisfies <paramref name="condition"/>.</summary>
    public Task WaitForSnapshotAsync(Func<ProxySnapshot, bool> condition, string what) =>
        Poll.UntilAsync(() => Snapshot is { } snapshot && condition(snapshot), $"{Name}: {what}");

    /// <summary>Waits until the sidecar knows an endpoint of <paramref name="service"/> (it registered with the control plane).</summary>
    public Task WaitForEndpointsAsync(string service, int count = 1) =>
        WaitForSnapshotAsync(
            s => s.Clusters.Any(c => c.Name == $"outbound|9080||{service}.default.svc.cluster.local" && c.Endpoints.Count >= count),
            $"{count} endpoint(s) of {service}");

    public async ValueTask DisposeAsync()
    {
        await _proxy.StopAsync();
        await _proxy.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
