using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Mesh.Cli;
using Mesh.Cli.Commands;
using Mesh.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The repository's AppHost started once for every end-to-end test class (join with
/// <c>[Collection(MeshAppCollection.Name)]</c>): control plane, Bookinfo with a sidecar per
/// workload, ingress gateway and the Aspire dashboard, all healthy and every proxy SYNCED.
/// The control plane keeps its state in a fresh temporary data directory (never the developer's
/// <c>.mesh-data</c>), and the fixed ports of the developer's loop (productpage 9080, gateway
/// 8080/8443, admin 15014, dashboard 18888) are moved to free ones, so the suite runs next to a
/// running AppHost. Config the tests apply goes through <see cref="ApplyAsync"/>, which undoes it.
/// </summary>
public sealed class MeshAppFixture : IAsyncLifetime
{
    // Generous: ~1 min on an idle 2-core machine, several times that when other builds compete.
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan WarmUpTimeout = TimeSpan.FromMinutes(2);
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>Productpage's own endpoint (the developer's http://localhost:9080), bypassing the gateway.</summary>
    public HttpClient ProductPage { get; private set; } = null!;

    /// <summary>The ingress gateway's HTTP listener (the developer's http://localhost:8080).</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>
    /// The ingress gateway's HTTPS listener (the developer's https://localhost:8443); it serves
    /// Gateway servers on port 443. Build your own client: certificates and SNI are test-specific.
    /// </summary>
    public Uri GatewayHttpsUrl { get; private set; } = null!;

    /// <summary>The control plane's admin API, token set.</summary>
    public MeshAdminClient Admin { get; private set; } = null!;

    public Uri AdminUrl { get; private set; } = null!;

    /// <summary>The admin token the control plane generated in <see cref="DataDirectory"/>.</summary>
    public string AdminToken { get; private set; } = "";

    /// <summary>The Aspire dashboard (anonymous access; <c>GET /api/telemetry/traces</c> returns OTLP JSON).</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    /// <summary>The control plane's data directory: a temporary folder deleted after the run.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "mesh-e2e", Guid.NewGuid().ToString("N"));

    /// <summary>Node ids of every proxy the AppHost runs (one per meshed workload replica, plus the gateway).</summary>
    public IReadOnlyList<string> ProxyIds { get; private set; } = [];

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A file of Istio's Bookinfo samples (<c>samples/bookinfo/networking/</c>).</summary>
    public static string SamplePath(string fileName) => Path.Combine(RepositoryRoot, "samples", "bookinfo", "networking", fileName);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        using var timeout = new CancellationTokenSource(StartupTimeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // The testing builder turns the dashboard off; tests read telemetry from it, so keep it,
        // on ports of its own.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Mesh_AppHost>(
            [
                $"--ASPNETCORE_URLS=http://localhost:{FreePort.Next()}",
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort.Next()}",
                $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort.Next()}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort.Next()}",
                "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
                "--DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
            ],
            (options, _) => options.DisableDashboard = false,
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("Microsoft", LogLevel.Warning));

        var controlPlane = builder.Resources.OfType<MeshControlPlaneResource>().Single();
        builder.CreateResourceBuilder(controlPlane).WithDataDirectory(DataDirectory);
        MovePorts(builder);
        ProxyIds =
        [
            .. builder.Resources.OfType<MeshSidecarResource>().Select(s => s.NodeId),
            .. builder.Resources.OfType<MeshGatewayResource>().Select(g => g.Name),
        ];

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        // The apps are projects; the mesh's own programs are executables (Aspire adds hidden
        // executables of its own, such as a project's "-rebuilder", that never start).
        foreach (var resource in builder.Resources.Where(r => r is ProjectResource or MeshControlPlaneResource or MeshSidecarResource or MeshGatewayResource))
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, timeout.Token);
        }

        AdminUrl = _app.GetEndpoint(controlPlane.Name, "admin");
        AdminToken = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "admin-token"), timeout.Token)).Trim();
        var adminHttp = new HttpClient { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(30) };
        adminHttp.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        Admin = new MeshAdminClient(adminHttp);
        ProductPage = new HttpClient { BaseAddress = _app.GetEndpoint("productpage", "http"), Timeout = TimeSpan.FromSeconds(30) };
        Gateway = new HttpClient { BaseAddress = _app.GetEndpoint(builder.Resources.OfType<MeshGatewayResource>().Single().Name, "http"), Timeout = TimeSpan.FromSeconds(30) };
        // A TCP endpoint to Aspire (the gateway's own TLS, not the developer certificate): its URL says tcp://.
        GatewayHttpsUrl = new UriBuilder(_app.GetEndpoint(builder.Resources.OfType<MeshGatewayResource>().Single().Name, "https")) { Scheme = Uri.UriSchemeHttps }.Uri;
        DashboardUrl = _app.GetEndpoint("aspire-dashboard", "http");

        await Admin.WaitForAllSyncedAsync(ProxyIds.Count, TimeSpan.FromSeconds(30), timeout.Token);
        await WarmUpAsync();

        Console.WriteLine($"MeshAppFixture: AppHost up, {ProxyIds.Count} proxies SYNCED after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        ProductPage?.Dispose();
        Gateway?.Dispose();
        Admin?.Http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process of the app may still hold a file for a moment; a temp folder left behind is harmless.
        }
    }

    /// <summary>An HttpClient for any resource endpoint (e.g. a sidecar's "admin").</summary>
    public HttpClient CreateHttpClient(string resourceName, string endpointName = "http") =>
        new() { BaseAddress = App.GetEndpoint(resourceName, endpointName), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Applies YAML through the admin API; dispose the result to delete it again.</summary>
    public async Task<AppliedConfig> ApplyAsync(string yaml, CancellationToken cancellationToken = default)
    {
        var change = await Admin.ApplyAsync(yaml, cancellationToken);
        return new AppliedConfig(Admin, yaml, change, ProxyIds.Count);
    }

    /// <summary>Applies one of Istio's Bookinfo sample files (e.g. "virtual-service-all-v1.yaml").</summary>
    public async Task<AppliedConfig> ApplySampleAsync(string fileName, CancellationToken cancellationToken = default) =>
        await ApplyAsync(await File.ReadAllTextAsync(SamplePath(fileName), cancellationToken), cancellationToken);

    /// <summary>Runs <c>meshctl apply -f FILE</c> (as a user would); dispose the result to delete those objects.</summary>
    public async Task<AppliedConfig> MeshCtlApplyAsync(string path)
    {
        var result = await MeshCtlAsync("apply", "-f", path);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"meshctl apply -f {path} exited {result.ExitCode}: {result.Error}{result.Output}");
        }

        // meshctl prints the generation the store accepted: what a test waits for a proxy to ACK.
        var generation = System.Text.RegularExpressions.Regex.Match(result.Output, @"configuration generation (\d+)");
        var change = generation.Success
            ? new ConfigChange("applied", long.Parse(generation.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), [], null)
            : throw new InvalidOperationException($"meshctl apply -f {path} did not name the configuration generation: {result.Output}");
        return new AppliedConfig(Admin, await File.ReadAllTextAsync(path), change, ProxyIds.Count);
    }

    /// <summary>Runs meshctl in-process against this control plane (server and token set), from the repository root.</summary>
    public async Task<MeshCtlResult> MeshCtlAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new Dictionary<string, string>
        {
            ["MESH_SERVER"] = AdminUrl.ToString(),
            ["MESH_TOKEN"] = AdminToken,
        };
        var context = new CliContext(output, error, name => environment.GetValueOrDefault(name), RepositoryRoot);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await MeshCtl.RunAsync(args, context, timeout.Token);
        return new MeshCtlResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Loads the product page until every reviews version answered without an error: freshly
    /// started apps JIT their first calls, and a cold first call can exceed productpage's 3 s
    /// upstream timeout, which no test should mistake for a routing or fault result.
    /// </summary>
    private async Task WarmUpAsync()
    {
        var served = new HashSet<string>(StringComparer.Ordinal);
        var last = "";
        await Poll.UntilAsync(
            "every reviews version to serve the product page",
            async ct =>
            {
                last = await BookinfoPage.FetchAsync(ProductPage, ct);
                if (BookinfoPage.ReviewsServedBy(last) is { } pod && !last.Contains(BookinfoPage.DetailsError, StringComparison.Ordinal))
                {
                    served.Add(pod);
                }

                return served.Count >= 3;
            },
            () => $"served by {string.Join(", ", served)}; last page {(last.Length > 200 ? last[..200] : last)}",
            budget: WarmUpTimeout);
    }

    /// <summary>
    /// Moves every fixed host port to a free one. The gateway learns its listener ports from
    /// environment variables set from literal numbers, so those are overridden too. A gateway
    /// listener serves two Gateway server ports (its service port and its own port); with its own
    /// port moved, the HTTP listener serves servers on 8080 (Istio's Bookinfo gateway) and the
    /// HTTPS listener servers on 443 (Istio's secure ingress tasks). Servers on 80 or 8443 are not
    /// served here, unlike in the AppHost.
    /// </summary>
    private static void MovePorts(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var resource in builder.Resources.OfType<IResourceWithEndpoints>())
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.Port is not null))
            {
                endpoint.Port = FreePort.Next();
            }
        }

        foreach (var gateway in builder.Resources.OfType<MeshGatewayResource>())
        {
            var endpoints = gateway.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
            gateway.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                context.EnvironmentVariables["Mesh__Gateway__Listeners__0__Port"] = Port(endpoints["http"]);
                context.EnvironmentVariables["Mesh__Gateway__Listeners__0__ServicePort"] = "8080";
                context.EnvironmentVariables["Mesh__Gateway__Listeners__1__Port"] = Port(endpoints["https"]);
                context.EnvironmentVariables["Mesh__Gateway__Listeners__1__ServicePort"] = "443";
            }));
        }
    }

    private static string Port(EndpointAnnotation endpoint) =>
        endpoint.Port!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Mesh.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>What an in-process meshctl run printed and returned.</summary>
public sealed record MeshCtlResult(int ExitCode, string Output, string Error);
