using System.Net.Http.Headers;
using System.Text;
using Mesh.ControlPlane.Hosting;
using Mesh.ControlPlane.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>
/// The real control plane (CA, CSR API, discovery, admin API) on 127.0.0.1 ports chosen by the OS,
/// with a bootstrap key so proxies authenticate, temporary config and data directories, and an
/// admin client carrying the admin token.
/// </summary>
public sealed class SecureControlPlane : IAsyncDisposable
{
    public const string AdminToken = "security-tests-admin-token";
    public const string BootstrapKeyText = "security-tests-bootstrap-key-0123456789";

    private readonly bool _ownsRoot;

    private SecureControlPlane(WebApplication app, string root, bool ownsRoot)
    {
        App = app;
        Root = root;
        _ownsRoot = ownsRoot;
        var listeners = app.Services.GetRequiredService<ControlPlaneListeners>();
        GrpcUri = listeners.GrpcUri;
        Admin = new HttpClient { BaseAddress = listeners.AdminUri, Timeout = TimeSpan.FromSeconds(10) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public WebApplication App { get; }

    public string Root { get; }

    public string DataDirectory => Path.Combine(Root, "data");

    public string ConfigDirectory => Path.Combine(Root, "config");

    public Uri GrpcUri { get; }

    public HttpClient Admin { get; }

    public static byte[] BootstrapKey => Encoding.UTF8.GetBytes(BootstrapKeyText);

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="settings">Extra configuration (e.g. <c>ControlPlane:Ca:*</c>); a null value removes a default.</param>
    /// <param name="root">Reuse a directory (restart tests); a new temporary one by default.</param>
    public static async Task<SecureControlPlane> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, string? root = null)
    {
        var ownsRoot = root is null;
        root ??= Path.Combine(Path.GetTempPath(), "mesh-security-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        var values = new Dictionary<string, string?>
        {
            ["ControlPlane:AdminPort"] = "0",
            ["ControlPlane:GrpcPort"] = "0",
            ["ControlPlane:ConfigDirectory"] = Path.Combine(root, "config"),
            ["ControlPlane:DataDirectory"] = Path.Combine(root, "data"),
            ["ControlPlane:AdminToken"] = AdminToken,
            ["ControlPlane:Security:BootstrapKey"] = BootstrapKeyText,
            ["ControlPlane:FileDebounce"] = "00:00:00.050",
            ["ControlPlane:PushDebounce"] = "00:00:00.020",
            ["ControlPlane:PushMaxDelay"] = "00:00:00.200",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var app = ControlPlaneHost.Create([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.ClearProviders();
            if (Environment.GetEnvironmentVariable("MESH_TEST_LOG") == "1")
            {
                builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
            }
        });
        await app.StartAsync();
        return new SecureControlPlane(app, root, ownsRoot);
    }

    /// <summary>A bootstrap token for one workload, as the Aspire hosting mints them.</summary>
    public static string Token(string serviceAccount, string? nodeId = null, string @namespace = "default") =>
        BootstrapToken.Mint(BootstrapKey, @namespace, serviceAccount, nodeId, DateTimeOffset.UtcNow);

    /// <summary>Applies Istio YAML through the admin API (what meshctl apply does).</summary>
    public async Task ApplyAsync(string yaml)
    {
        using var response = await Admin.PostAsync("/api/v1/config", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"apply refused: {(int)response.StatusCode} {body}");
    }

    public async Task DeleteAsync(string yaml)
    {
        using var response = await Admin.PostAsync("/api/v1/config:delete?ignoreNotFound=true", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, $"delete refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public async Task StopAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Admin.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
        }

        if (_ownsRoot)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
