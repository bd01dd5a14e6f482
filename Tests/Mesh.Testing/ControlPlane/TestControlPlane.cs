using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.ControlPlane.Hosting;
using Mesh.ControlPlane.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Mesh.Testing.ControlPlane;

/// <summary>
/// The real control plane (production composition) in-process on 127.0.0.1, ports chosen by the
/// OS, config and data in a temporary folder: the admin API with a client carrying its token, the
/// discovery gRPC port for proxies, and the admin calls tests make (apply, status, wait until
/// proxies are SYNCED). What differs between tests is in <see cref="TestControlPlaneOptions"/>.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TestControlPlaneOptions _options;
    private GrpcChannel? _channel;
    private bool _stopped;
    private bool _handedOver;

    private TestControlPlane(TestControlPlaneOptions options, WebApplication app)
    {
        _options = options;
        App = app;
        var listeners = app.Services.GetRequiredService<ControlPlaneListeners>();
        AdminUri = listeners.AdminUri;
        GrpcUri = listeners.GrpcUri;
        Token = options.GenerateAdminToken
            ? File.ReadAllText(Path.Combine(DataDirectory, "admin-token")).Trim()
            : options.AdminToken;
        Admin = new HttpClient { BaseAddress = AdminUri, Timeout = Http.TestHttp.Timeout };
        if (!string.IsNullOrEmpty(Token))
        {
            Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public TestControlPlaneOptions Options => _options;

    public Uri AdminUri { get; }

    /// <summary>Discovery and CSR gRPC; proxies are configured with it.</summary>
    public Uri GrpcUri { get; }

    /// <summary>The admin token (given or generated); null without one.</summary>
    public string? Token { get; }

    /// <summary>The admin API, token included.</summary>
    public HttpClient Admin { get; }

    /// <summary>A discovery client on a channel of its own (what a proxy opens).</summary>
    public MeshDiscovery.MeshDiscoveryClient Discovery => new(_channel ??= GrpcChannel.ForAddress(GrpcUri));

    public string Root => _options.Root;

    public string ConfigDirectory => _options.ConfigDirectory;

    public string DataDirectory => _options.DataDirectory;

    public static async Task<TestControlPlane> StartAsync(TestControlPlaneOptions? options = null)
    {
        options ??= new TestControlPlaneOptions();
        Directory.CreateDirectory(options.ConfigDirectory);
        foreach (var (path, content) in options.ConfigFiles)
        {
            var file = Path.Combine(options.ConfigDirectory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, content);
        }

        var settings = Settings(options);
        var app = ControlPlaneHost.Create([.. options.Arguments], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders().SetMinimumLevel(options.LogLevel);
            if (options.Logs is not null)
            {
                builder.Logging.AddProvider(options.Logs);
            }

            if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
            {
                // Debugging aid: MESH_TEST_LOG=1 dotnet test ... shows the control plane's logs.
                builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            }

            if (options.Clock is not null)
            {
                builder.Services.Replace(ServiceDescriptor.Singleton(options.Clock));
            }

            options.ConfigureServices?.Invoke(builder.Services);
        });
        await app.StartAsync();
        return new TestControlPlane(options, app);
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Stops this control plane and starts another on the same directories and discovery port (proxies find it again).</summary>
    public async Task<TestControlPlane> RestartAsync(Func<TestControlPlaneOptions, TestControlPlaneOptions>? change = null)
    {
        var grpcPort = GrpcUri.Port;
        await StopAsync();
        _handedOver = true;
        var options = _options with { GrpcPort = grpcPort, ConfigFiles = new Dictionary<string, string>() };
        return await StartAsync(change?.Invoke(options) ?? options);
    }

    /// <summary>A proxy's bootstrap token for a workload identity (what the hosting gives each sidecar).</summary>
    public string MintToken(string serviceAccount, string? nodeId = null, string @namespace = "default") =>
        BootstrapToken.Mint(
            Service<BootstrapKey>().Value ?? throw new InvalidOperationException("this control plane has no bootstrap key"),
            @namespace,
            serviceAccount,
            nodeId,
            DateTimeOffset.UtcNow);

    /// <summary>The token a proxy of this identity presents: a bootstrap token when this control plane has a bootstrap key, else none.</summary>
    public string? TokenFor(string serviceAccount, string? nodeId = null, string @namespace = "default") =>
        Service<BootstrapKey>().Value is null ? null : MintToken(serviceAccount, nodeId, @namespace);

    /// <summary>Writes a file in the config directory the way a simple editor does (in place).</summary>
    public string WriteConfigFile(string relativePath, string content)
    {
        var path = Path.Combine(ConfigDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Posts YAML to an admin API path (apply, delete, dry run) and returns the answer as it is.</summary>
    public Task<HttpResponseMessage> PostYamlAsync(string path, string yaml) =>
        Admin.PostAsync(path, new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    /// <summary>Applies Istio YAML through the admin API (what meshctl apply does); returns the new config generation.</summary>
    public async Task<long> ApplyAsync(string yaml)
    {
        using var response = await PostYamlAsync("/api/v1/config", yaml);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"apply refused: HTTP {(int)response.StatusCode} {body}");
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("generation").GetInt64();
    }

    /// <summary>Deletes the objects in <paramref name="yaml"/> (missing ones are fine).</summary>
    public async Task DeleteAsync(string yaml)
    {
        using var response = await Admin.PostAsync("/api/v1/config:delete?ignoreNotFound=true", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"delete refused: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary><c>GET /api/v1/config/status</c>.</summary>
    public async Task<JsonDocument> StatusAsync() => JsonDocument.Parse(await Admin.GetStringAsync("/api/v1/config/status"));

    public async Task<long> GenerationAsync()
    {
        using var status = await StatusAsync();
        return status.RootElement.GetProperty("generation").GetInt64();
    }

    public async Task<IReadOnlyList<ProxyStatus>> ProxiesAsync() =>
        await Admin.GetFromJsonAsync<List<ProxyStatus>>("/api/v1/proxies", Json) ?? [];

    public async Task<ProxyStatus?> ProxyAsync(string id) => (await ProxiesAsync()).FirstOrDefault(p => p.Id == id);

    /// <summary>Waits until proxy <paramref name="id"/> ACKed a snapshot built from config generation <paramref name="generation"/> or later.</summary>
    /// <param name="budget">Longer than <see cref="Poll.DefaultBudget"/> where a test waits out a fault (a control plane restarted under load).</param>
    public async Task<ProxyStatus> WaitForSyncedAtAsync(string id, long generation, TimeSpan? budget = null)
    {
        ProxyStatus? last = null;
        await Poll.UntilAsync(
            $"{id} SYNCED at generation {generation}",
            async () => (last = await ProxyAsync(id)) is { Status: "SYNCED", ConfigGeneration: { } g } && g >= generation,
            () => last?.ToString() ?? "not connected",
            budget);
        return last!;
    }

    /// <summary>Waits until exactly the proxies <paramref name="ids"/> are connected, every one SYNCED (at <paramref name="generation"/> or later).</summary>
    public async Task WaitForSyncedAsync(IReadOnlyCollection<string> ids, long generation = 0, TimeSpan? budget = null)
    {
        IReadOnlyList<ProxyStatus> last = [];
        await Poll.UntilAsync(
            $"proxies {string.Join(", ", ids)} SYNCED at generation {generation}",
            async () =>
            {
                last = await ProxiesAsync();
                return last.Select(p => p.Id).Order(StringComparer.Ordinal).SequenceEqual(ids.Order(StringComparer.Ordinal))
                    && last.All(p => p.Status == "SYNCED" && (generation == 0 || p.ConfigGeneration >= generation));
            },
            () => string.Join(", ", last),
            budget);
    }

    /// <summary>Stops it (its discovery streams end; proxies keep serving and reconnect).</summary>
    public Task StopAsync() => StopAsync(CancellationToken.None);

    /// <summary>Stops it as a crash does: streams and connections are aborted, nothing drains.</summary>
    public Task KillAsync() => StopAsync(new CancellationToken(canceled: true));

    private async Task StopAsync(CancellationToken graceful)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Admin.Dispose();
        _channel?.Dispose();
        await App.StopAsync(graceful);
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (!_handedOver)
        {
            TemporaryDirectory.Delete(Root);
        }
    }

    private static Dictionary<string, string?> Settings(TestControlPlaneOptions options)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ControlPlane:AdminPort"] = "0",
            ["ControlPlane:GrpcPort"] = options.GrpcPort.ToString(CultureInfo.InvariantCulture),
            ["ControlPlane:ConfigDirectory"] = options.ConfigDirectory,
            ["ControlPlane:DataDirectory"] = options.DataDirectory,
            ["ControlPlane:AdminToken"] = options.GenerateAdminToken ? null : options.AdminToken ?? "",
            ["ControlPlane:GenerateAdminToken"] = options.GenerateAdminToken ? "true" : null,
            ["ControlPlane:Security:BootstrapKey"] = options.GenerateBootstrapKey ? null : options.BootstrapKey,
            ["ControlPlane:Security:GenerateBootstrapKey"] = options.GenerateBootstrapKey ? "true" : null,
        };
        if (!options.ProductionTimings)
        {
            settings["ControlPlane:FileDebounce"] = "00:00:00.050";
            settings["ControlPlane:PushDebounce"] = "00:00:00.020";
            settings["ControlPlane:PushMaxDelay"] = "00:00:00.200";
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        // A null value means "not set": leave it out rather than set it empty.
        return settings.Where(s => s.Value is not null).ToDictionary();
    }
}
