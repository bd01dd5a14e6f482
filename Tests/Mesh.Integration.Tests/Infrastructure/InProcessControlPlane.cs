using System.Net.Http.Headers;
using Mesh.ControlPlane.Hosting;
using Mesh.ControlPlane.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// The real control plane (production composition and snapshot builder, default debounce
/// timings) on 127.0.0.1 with a free admin port, a config directory and a data directory with a
/// generated admin token and bootstrap key (so its CA signs workload certificates) — what the
/// Aspire hosting runs, in-process.
/// </summary>
public sealed class InProcessControlPlane : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private InProcessControlPlane(WebApplication app, string configDirectory, string dataDirectory)
    {
        _app = app;
        ConfigDirectory = configDirectory;
        DataDirectory = dataDirectory;
        var listeners = app.Services.GetRequiredService<ControlPlaneListeners>();
        AdminUri = listeners.AdminUri;
        GrpcUri = listeners.GrpcUri;
        Token = File.ReadAllText(Path.Combine(dataDirectory, "admin-token")).Trim();
        var http = new HttpClient { BaseAddress = AdminUri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Admin = new AdminApi(http);
    }

    public string ConfigDirectory { get; }

    public string DataDirectory { get; }

    public Uri AdminUri { get; }

    /// <summary>Discovery gRPC; proxies are configured with it.</summary>
    public Uri GrpcUri { get; }

    public string Token { get; }

    public AdminApi Admin { get; }

    /// <summary>A proxy's bootstrap token for its workload identity (what the hosting gives each sidecar).</summary>
    public string MintProxyToken(string @namespace, string serviceAccount, string nodeId) =>
        BootstrapToken.Mint(
            _app.Services.GetRequiredService<BootstrapKey>().Value ?? throw new InvalidOperationException("no bootstrap key"),
            @namespace,
            serviceAccount,
            nodeId,
            DateTimeOffset.UtcNow);

    /// <param name="grpcPort">0 for a free port; a restart passes the old one so proxies find it again.</param>
    /// <param name="settings">More configuration (ControlPlane:Gateways:Program...), over the defaults.</param>
    public static async Task<InProcessControlPlane> StartAsync(string configDirectory, string dataDirectory, int grpcPort = 0, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = ControlPlaneHost.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
            {
                ["ControlPlane:AdminPort"] = "0",
                ["ControlPlane:GrpcPort"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["ControlPlane:ConfigDirectory"] = configDirectory,
                ["ControlPlane:DataDirectory"] = dataDirectory,
                ["ControlPlane:GenerateAdminToken"] = "true",

                // As the Aspire hosting does: a bootstrap key in the data directory, so proxies
                // authenticate with per-workload tokens and get workload certificates (mTLS).
                ["ControlPlane:Security:GenerateBootstrapKey"] = "true",
            });
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new RecentLog("control-plane"));
            if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
            {
                builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            }
        });
        await app.StartAsync();
        return new InProcessControlPlane(app, configDirectory, dataDirectory);
    }

    /// <summary>Stops it (its discovery streams end; proxies keep serving and retry).</summary>
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
        Admin.Http.Dispose();
        await _app.StopAsync(graceful);
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
