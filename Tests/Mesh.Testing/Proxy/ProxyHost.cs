using System.Text.Json;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.L4;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Mesh.Testing.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.Proxy;

/// <summary>
/// A real proxy in-process, composed as the Sidecar and Gateway hosts compose it (the gateway adds
/// the Gateway feature), configured through <see cref="ProxySettings"/>, listening on 127.0.0.1
/// ports the OS picks. It records what it concluded about every request (<see cref="Observer"/>).
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ProxyHost(WebApplication app, ProxySettings settings, RecordingObserver observer)
    {
        _app = app;
        Settings = settings;
        Observer = observer;
        Listeners = app.Services.GetRequiredService<ListenerSet>();
    }

    public ProxySettings Settings { get; }

    /// <summary>Node id (what proxy-status lists).</summary>
    public string Id => Settings.NodeId;

    public ListenerSet Listeners { get; }

    public RecordingObserver Observer { get; }

    public IServiceProvider Services => _app.Services;

    public int AdminPort => Listeners.Admin.BoundPort;

    /// <summary>The workload identity (certificate) the proxy holds; empty without a CA.</summary>
    public WorkloadIdentityState Identity => Services.GetRequiredService<WorkloadIdentityState>();

    /// <summary>The snapshot the proxy serves (null before the first one).</summary>
    public ProxySnapshot? Snapshot => Services.GetRequiredService<RoutingState>().Current?.Snapshot;

    /// <param name="configureServices">Runs last: replace or add services (an observer, a handler).</param>
    /// <param name="logs">Receives the proxy's logs (information and up).</param>
    /// <param name="clock">The proxy's clock; a <see cref="Clock.TestClock"/> puts its timeouts, delays, back-off and rotation on a fake clock.</param>
    /// <param name="recordRequests">False leaves <see cref="Observer"/> out of the proxy (it allocates per request; allocation measurements turn it off).</param>
    public static async Task<ProxyHost> StartAsync(ProxySettings settings, Action<IServiceCollection>? configureServices = null, ILoggerProvider? logs = null, TimeProvider? clock = null, bool recordRequests = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings.Values);
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
        {
            // Debugging aid: MESH_TEST_LOG=1 dotnet test ... shows the proxies' logs.
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            builder.Configuration["Logging:LogLevel:Yarp"] = "Debug";
            builder.Configuration["Logging:LogLevel:Mesh"] = "Debug";
        }

        var gateway = settings.Mode == "Gateway";
        var features = builder.AddMeshProxy(gateway ? MeshProxyMode.Gateway : MeshProxyMode.Sidecar)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>()
            .AddFeature<L4Feature>();
        if (gateway)
        {
            features.AddFeature<GatewayFeature>();
        }

        if (clock is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(clock));
        }

        configureServices?.Invoke(builder.Services);
        var observer = new RecordingObserver();
        if (recordRequests)
        {
            builder.Services.AddSingleton<IMeshRequestObserver>(observer);
        }

        var app = builder.Build();
        app.MapMeshProxy();
        var host = new ProxyHost(app, settings, observer);
        await app.StartAsync();
        return host;
    }

    public int Port(ListenerKind kind, int index = 0) => Listeners.OfKind(kind).ElementAt(index).BoundPort;

    public int OutboundPort(string host) => Listeners.OfKind(ListenerKind.Outbound).First(l => l.UpstreamHost == host).BoundPort;

    /// <summary>The local port of the app's binding to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public int OutboundPort(string host, int port) =>
        Listeners.OfKind(ListenerKind.Outbound).First(l => l.UpstreamHost == host && l.UpstreamPort == port).BoundPort;

    /// <summary>The inbound listener of service port <paramref name="servicePort"/> (where other proxies connect).</summary>
    public int InboundPort(int servicePort) =>
        Listeners.OfKind(ListenerKind.Inbound).First(l => l.ServicePort == servicePort).BoundPort;

    /// <summary>Where the workload's app calls <paramref name="service"/>: its outbound listener.</summary>
    public Uri Outbound(string service, string pathAndQuery = "/") => TestHttp.Local(OutboundPort(service), pathAndQuery);

    /// <summary>The inbound listener, as another workload (or an attacker) reaches it.</summary>
    public Uri Inbound(string scheme = "http", string pathAndQuery = "/") =>
        new($"{scheme}://127.0.0.1:{Port(ListenerKind.Inbound)}{pathAndQuery}");

    /// <summary>The local port of the gateway listener serving Gateway port <paramref name="servicePort"/>.</summary>
    public int GatewayPort(int servicePort) => Listeners.OfKind(ListenerKind.Gateway).First(l => l.GatewayPorts.Contains(servicePort)).BoundPort;

    /// <summary>A gateway listener (the first by default).</summary>
    public Uri Gateway(string pathAndQuery = "/", int index = 0) => TestHttp.Local(Port(ListenerKind.Gateway, index), pathAndQuery);

    /// <summary>The proxy's own view: <c>/config_dump</c> on its admin listener.</summary>
    public async Task<JsonDocument> ConfigDumpAsync()
    {
        using var client = TestHttp.CreateClient();
        return JsonDocument.Parse(await client.GetStringAsync(TestHttp.Local(AdminPort, "/config_dump")));
    }

    /// <summary>Waits until the admin listener's <c>/ready</c> answers 200 (a snapshot and, with a CA, a certificate).</summary>
    public async Task WaitReadyAsync()
    {
        using var client = TestHttp.CreateClient(pooled: false);
        await Poll.UntilAsync($"{Id} ready", async () => (await client.GetAsync(TestHttp.Local(AdminPort, "/ready"))).IsSuccessStatusCode);
    }

    /// <summary>Waits until the proxy serves a snapshot that satisfies <paramref name="condition"/>.</summary>
    public Task WaitForSnapshotAsync(string what, Func<ProxySnapshot, bool> condition) =>
        Poll.UntilAsync($"{Id}: {what}", () => Snapshot is { } snapshot && condition(snapshot), () => $"snapshot {Snapshot?.Version ?? "none"}");

    /// <summary>Waits until the proxy holds at least <paramref name="count"/> endpoints of <paramref name="service"/> (port 9080, default namespace).</summary>
    public Task WaitForEndpointsAsync(string service, int count = 1, string @namespace = "default") =>
        WaitForSnapshotAsync(
            $"{count} endpoint(s) of {service}",
            s => s.Clusters.Any(c => c.Name == $"outbound|9080||{service}.{@namespace}.svc.cluster.local" && c.Endpoints.Count >= count));

    /// <summary>Workloads of the endpoints the proxy holds for clusters of <paramref name="serviceFqdn"/>.</summary>
    public IReadOnlySet<string> EndpointWorkloads(string serviceFqdn) =>
        (Snapshot?.Clusters ?? []).Where(c => c.Service == serviceFqdn)
            .SelectMany(c => c.Endpoints).Select(e => e.Workload).ToHashSet(StringComparer.Ordinal);

    public Task StopAsync() => StopAsync(CancellationToken.None);

    /// <summary>Stops it as a crash does: open connections are aborted, nothing drains.</summary>
    public Task KillAsync() => StopAsync(new CancellationToken(canceled: true));

    private async Task StopAsync(CancellationToken graceful)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync(graceful);
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
