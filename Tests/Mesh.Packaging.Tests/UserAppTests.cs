using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Mesh.EndToEnd.Tests.Infrastructure;
using Mesh.Packaging.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mesh.Packaging.Tests;

/// <summary>
/// Issue 19's "done when", as a user does it: a new Aspire app outside the repository (an AppHost
/// written by hand, two minimal services) gets the mesh with `dotnet add package Mesh.Hosting`
/// from the local feed and a few lines in its AppHost; it runs, every proxy is SYNCED
/// (packaged meshctl), the frontend's calls reach the backend through both sidecars (mTLS: the
/// backend sees the frontend's SPIFFE identity), and a routing change applied with the packaged
/// meshctl takes effect. Its ports are free ones, so it runs beside the repository's AppHost.
/// </summary>
[Collection(PackagedMeshCollection.Name)]
public sealed partial class UserAppTests(PackagedMesh mesh, ITestOutputHelper output)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_new_Aspire_app_gets_a_working_mesh_from_the_packages()
    {
        output.WriteLine(mesh.Timings);
        var app = mesh.CopyUserApp("userapp");
        var appHost = Path.Combine(app, "AppHost");
        AssertAspireVersionsMatchTheRepository(Path.Combine(appHost, "AppHost.csproj"));

        var clock = Stopwatch.StartNew();
        await mesh.Cli.RunAsync("dotnet", ["add", appHost, "package", "Mesh.Hosting"], app);
        Assert.Contains($"Include=\"Mesh.Hosting\" Version=\"{mesh.Version}\"", File.ReadAllText(Path.Combine(appHost, "AppHost.csproj")), StringComparison.Ordinal);
        await mesh.Cli.RunAsync("dotnet", ["build", appHost, "-nologo"], app);
        output.WriteLine($"dotnet add package + build: {clock.Elapsed.TotalSeconds:0} s");

        var adminPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        var server = $"http://127.0.0.1:{adminPort}";
        clock.Restart();
        await using var running = mesh.Cli.StartLongRunning(
            "dotnet",
            ["run", "--project", appHost, "--no-build", "--no-launch-profile", "--",
             $"--MeshAdminPort={adminPort}", $"--GatewayHttpPort={gatewayPort}", $"--GatewayHttpsPort={FreePort.Next()}"],
            app,
            new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
                ["DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
            });

        // meshctl from the AppHost's folder finds the admin token in .mesh-data/ there, as a user's would.
        var status = await Poll.UntilAsync("four proxies SYNCED in meshctl proxy-status", StartupTimeout, async () =>
        {
            var (exitCode, text) = await mesh.Cli.TryRunAsync(mesh.MeshCtl, ["proxy-status", "--server", server], appHost);
            return (exitCode == 0 && SyncedRows().Count(text) == 4, text, text);
        }, running);
        foreach (var proxy in new[] { "frontend", "backend-v1", "backend-v2", "ingressgateway" })
        {
            Assert.Matches(new Regex($"(?m)^{proxy} .* SYNCED "), status);
        }

        output.WriteLine($"AppHost up, 4 proxies SYNCED after {clock.Elapsed.TotalSeconds:0} s");

        // Ingress gateway -> frontend (its sidecar) -> frontend's outbound sidecar listener ->
        // a backend's sidecar over mTLS -> backend; round robin over both versions.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gatewayPort}"), Timeout = TimeSpan.FromSeconds(30) };
        var versions = new HashSet<string>(StringComparer.Ordinal);
        var page = await Poll.UntilAsync("both backend versions answering through the gateway", TrafficTimeout, async () =>
        {
            var text = await http.GetStringAsync("/");
            if (BackendVersion().Match(text) is { Success: true } match)
            {
                versions.Add(match.Groups[1].Value);
            }

            return (versions.Count == 2, text, text);
        }, running);
        Assert.Contains("URI=spiffe://cluster.local/ns/default/sa/frontend", page, StringComparison.Ordinal);
        Assert.StartsWith("frontend -> backend v", page, StringComparison.Ordinal);

        // The routing change, with the packaged meshctl: all of backend's traffic to v2. Wait for
        // frontend's sidecar to ACK a new snapshot, not for a run of v2 answers: both versions
        // answer before the change, so ten v2 in a row can come by chance before it arrived.
        var frontend = FrontendAcked().Match(status);
        Assert.True(frontend.Success, $"no SYNCED row of frontend with an ACKed version in:\n{status}");
        var before = frontend.Groups[1].Value;
        var applied = await mesh.Cli.RunAsync(mesh.MeshCtl, ["apply", "-f", Path.Combine(app, "routing", "backend-v2.yaml"), "--server", server], appHost);
        output.WriteLine(applied);
        await Poll.UntilAsync("frontend's sidecar to ACK the routing change", TrafficTimeout, async () =>
        {
            var (exitCode, text) = await mesh.Cli.TryRunAsync(mesh.MeshCtl, ["proxy-status", "--server", server], appHost);
            var acked = FrontendAcked().Match(text);
            return (exitCode == 0 && acked.Success && acked.Groups[1].Value != before, text, text);
        }, running);
        for (var i = 0; i < 20; i++)
        {
            Assert.Contains("backend v2;", await http.GetStringAsync("/"), StringComparison.Ordinal);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"routing change applied and verified; total {clock.Elapsed.TotalSeconds:0} s after start"));
    }

    /// <summary>The hand-written AppHost pins the Aspire versions the repository builds with (so the test stays offline).</summary>
    private static void AssertAspireVersionsMatchTheRepository(string project)
    {
        var text = File.ReadAllText(project);
        Assert.Contains($"Aspire.AppHost.Sdk/{PackagedMesh.RepositoryVersion("AspireAppHostSdkVersion")}", text, StringComparison.Ordinal);
        Assert.Contains($"Include=\"Aspire.Hosting.AppHost\" Version=\"{PackagedMesh.RepositoryVersion("Aspire.Hosting.AppHost")}\"", text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?m)^\S+\s+\S+\s+\S+\s+SYNCED\s")]
    private static partial Regex SyncedRows();

    /// <summary>The version frontend's sidecar ACKed, from a SYNCED row of proxy-status (NAME KIND WORKLOAD STATUS SENT (age) ACKED (age)).</summary>
    [GeneratedRegex(@"(?m)^frontend\s+\S+\s+\S+\s+SYNCED\s+\S+ \([^)]*\)\s+(\S+) \(")]
    private static partial Regex FrontendAcked();

    [GeneratedRegex(@"backend (v\d+);")]
    private static partial Regex BackendVersion();
}
