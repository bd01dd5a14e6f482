using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.ControlPlane.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Telemetry.Tests.Infrastructure;

/// <summary>
/// One test's mesh: the real control plane (temporary directories, ports chosen by the OS, no
/// admin token), workloads each with an app and a real sidecar, all in a namespace of the test's
/// own so its metrics never mix with another test's. Disposed together.
/// </summary>
public sealed class MeshWorld : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _root;

    private MeshWorld(WebApplication controlPlane, string root, string @namespace, CapturedLogs logs)
    {
        Logs = logs;
        ControlPlane = controlPlane;
        _root = root;
        Namespace = @namespace;
        var listeners = controlPlane.Services.GetRequiredService<ControlPlaneListeners>();
        AdminUri = listeners.AdminUri;
        GrpcUri = listeners.GrpcUri;
        Admin = new HttpClient { BaseAddress = AdminUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Signs the sidecars' bootstrap tokens, so they get workload certificates and talk mTLS.</summary>
    public const string BootstrapKey = "telemetry-tests-bootstrap-key-0123456789";

    public WebApplication ControlPlane { get; }

    public string Namespace { get; }

    public Uri AdminUri { get; }

    public Uri GrpcUri { get; }

    public HttpClient Admin { get; }

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public CapturedLogs Logs { get; }

    public Dictionary<string, TestSidecar> Sidecars { get; } = new(StringComparer.Ordinal);

    /// <param name="captureTelemetry">False: nothing listens to the proxies' spans and metrics (as without OTLP).</param>
    public static async Task<MeshWorld> StartAsync(Action<IDictionary<string, string?>>? settings = null, bool captureTelemetry = true)
    {
        if (captureTelemetry)
        {
            TelemetryCapture.Start();
        }

        var @namespace = $"t{Guid.NewGuid().ToString("N")[..10]}";
        var root = Path.Combine(Path.GetTempPath(), "mesh-telemetry-tests", @namespace);
        var values = new Dictionary<string, string?>
        {
            ["ControlPlane:AdminPort"] = "0",
            ["ControlPlane:GrpcPort"] = "0",
            ["ControlPlane:ConfigDirectory"] = Path.Combine(root, "config"),
            ["ControlPlane:DataDirectory"] = Path.Combine(root, "data"),
            ["ControlPlane:AdminToken"] = "",
            ["ControlPlane:DefaultNamespace"] = @namespace,
            ["ControlPlane:Security:BootstrapKey"] = BootstrapKey,
            ["ControlPlane:FileDebounce"] = "00:00:00.050",
            ["ControlPlane:PushDebounce"] = "00:00:00.020",
            ["ControlPlane:PushMaxDelay"] = "00:00:00.200",
        };
        settings?.Invoke(values);
        Directory.CreateDirectory(Path.Combine(root, "config"));
        var logs = new CapturedLogs();
        var app = ControlPlaneHost.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(logs);
        });
        await app.StartAsync();
        return new MeshWorld(app, root, @namespace, logs);
    }

    /// <summary>Starts an app (unless the workload only calls others) and its sidecar.</summary>
    public async Task<TestSidecar> WorkloadAsync(SidecarSpec spec, Func<HttpContext, Task>? handler = null, bool withApp = true)
    {
        if (withApp && spec.AppPort is null)
        {
            var backend = await TestBackend.StartAsync(handler);
            _owned.Add(backend);
            spec = spec with { AppPort = backend.Port };
            Apps[spec.Workload] = backend;
        }

        var token = Mesh.ControlPlane.Security.BootstrapToken.Mint(
            Encoding.UTF8.GetBytes(BootstrapKey), Namespace, spec.App, $"{spec.Workload}.{Namespace}", DateTimeOffset.UtcNow);
        var sidecar = await TestSidecar.StartAsync(spec, Namespace, GrpcUri, token, Logs);
        _owned.Add(sidecar);
        Sidecars[spec.Workload] = sidecar;
        return sidecar;
    }

    public Dictionary<string, TestBackend> Apps { get; } = new(StringComparer.Ordinal);

    /// <summary>Applies Istio YAML ({ns} is replaced by the test's namespace) and waits until every proxy serves it.</summary>
    public async Task ApplyAsync(string yaml)
    {
        using var response = await Admin.PostAsync("/api/v1/config", new StringContent(yaml.Replace("{ns}", Namespace, StringComparison.Ordinal), Encoding.UTF8, "application/yaml"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"apply failed: {body}");
        var generation = JsonDocument.Parse(body).RootElement.GetProperty("generation").GetInt64();
        await WaitForSyncAsync(generation);
    }

    /// <summary>Waits until every sidecar of the test is SYNCED with config generation <paramref name="generation"/> or later.</summary>
    public async Task WaitForSyncAsync(long generation = 0)
    {
        var last = "";
        await Poll.UntilAsync(
            async () =>
            {
                var proxies = await Admin.GetFromJsonAsync<JsonElement>("/api/v1/proxies");
                var mine = proxies.EnumerateArray().Where(p => p.GetProperty("namespace").GetString() == Namespace).ToList();
                last = string.Join(", ", mine.Select(p => $"{p.GetProperty("id").GetString()}={p.GetProperty("status").GetString()} {(p.TryGetProperty("nackError", out var e) ? e.ToString() : "")}"));
                return mine.Count == Sidecars.Count
                    && mine.All(p => p.GetProperty("status").GetString() == "SYNCED"
                        && p.TryGetProperty("configGeneration", out var g) && g.ValueKind == JsonValueKind.Number && g.GetInt64() >= generation)
                    ? (object)true
                    : null;
            },
            () => $"every sidecar SYNCED at generation {generation}: {last}; proxy logs: {string.Join(" | ", Logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Category}: {e.Message}").Take(10))}",
            TimeSpan.FromSeconds(15));
    }

    /// <summary>Sends a request through a workload's outbound listener for <paramref name="service"/>, as its app would.</summary>
    public async Task<HttpResponseMessage> CallAsync(string from, string service, string path = "/", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Sidecars[from].Outbound(service), path));
        configure?.Invoke(request);
        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await ControlPlane.StopAsync();
        await ControlPlane.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
