using Mesh.Cli;
using Mesh.Cli.Commands;
using Mesh.Testing.Backends;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A small mesh in one process: the real control plane, a reviews-vN app with its sidecar per
/// version (service "reviews", port 9080, labels app/version) and a productpage sidecar whose app
/// is the test — it calls reviews through the sidecar's outbound listener, as productpage does.
/// The config directory starts with the reviews DestinationRule (subsets per version).
/// </summary>
public sealed class MeshTestCluster : IAsyncDisposable
{
    public const string ReviewsFqdn = "reviews.default.svc.cluster.local";
    public const string ClientId = "productpage-v1";

    private readonly Dictionary<string, (TestBackend App, ProxyHost Sidecar)> _reviews = [];
    private readonly List<TestBackend> _orphans = [];

    private MeshTestCluster(string root, TestControlPlane controlPlane)
    {
        Root = root;
        ControlPlane = controlPlane;
    }

    public string Root { get; }

    public string ConfigDirectory => Path.Combine(Root, "config");

    public string DataDirectory => Path.Combine(Root, "data");

    public TestControlPlane ControlPlane { get; private set; }

    /// <summary>The client workload's sidecar (productpage-v1).</summary>
    public ProxyHost Client { get; private set; } = null!;

    /// <summary>What the client app uses for reviews: its sidecar's outbound listener.</summary>
    public HttpClient Reviews { get; private set; } = null!;

    /// <summary>Ids of every connected proxy.</summary>
    public IReadOnlyCollection<string> ProxyIds => [.. _reviews.Keys, ClientId];

    public static Task<MeshTestCluster> StartAsync(params string[] versions) => StartAsync(null, versions);

    /// <param name="controlPlaneSettings">More control plane configuration (ControlPlane:Gateways:Program...).</param>
    public static async Task<MeshTestCluster> StartAsync(IReadOnlyDictionary<string, string?>? controlPlaneSettings, params string[] versions)
    {
        var root = Path.Combine(Path.GetTempPath(), "mesh-integration-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        await File.WriteAllTextAsync(Path.Combine(root, "config", "reviews-destination-rule.yaml"), RoutingYaml.ReviewsSubsets(versions));
        var controlPlane = await MeshProxies.StartControlPlaneAsync(root, controlPlaneSettings);
        var cluster = new MeshTestCluster(root, controlPlane);
        try
        {
            foreach (var version in versions)
            {
                await cluster.StartReviewsAsync(version);
            }

            cluster.Client = await MeshProxies.StartSidecarAsync(
                new SidecarSpec(ClientId, "productpage", "v1") { Upstreams = ["reviews"] }, controlPlane);
            cluster.Reviews = new HttpClient { BaseAddress = cluster.Client.Outbound("reviews"), Timeout = TimeSpan.FromSeconds(10) };
            await cluster.ControlPlane.WaitForSyncedAsync(cluster.ProxyIds);
            await cluster.WaitForReviewsEndpointsAsync(versions.Select(v => $"reviews-{v}").ToArray());
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Calls reviews through the client's sidecar; returns the workload that answered (200 required).</summary>
    public async Task<string> CallReviewsAsync(string? endUser = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/reviews/0");
        if (endUser is not null)
        {
            request.Headers.Add("end-user", endUser);
        }

        using var response = await Reviews.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"reviews answered {(int)response.StatusCode}: {body}");
        }

        return body;
    }

    /// <summary>How many of <paramref name="count"/> calls each workload served.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountAsync(int count, string? endUser = null)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var workload = await CallReviewsAsync(endUser);
            counts[workload] = counts.GetValueOrDefault(workload) + 1;
        }

        return counts;
    }

    /// <summary>
    /// Waits until the control plane's store holds VirtualService default/reviews as
    /// <paramref name="holds"/> accepts it (its JSON, or null when there is none), then until the
    /// client's sidecar ACKed that generation. Proof that a file save reached the client — unlike a
    /// run of answers from one version, which the client's random pick between versions can give
    /// by chance before the change arrived (issue 22: a run of ten v2 seen 16 ms after the save).
    /// </summary>
    public async Task WaitForReviewsVirtualServiceAsync(Func<string?, bool> holds)
    {
        long generation = 0;
        string? last = null;
        await Poll.UntilAsync("VirtualService default/reviews in the store", async () =>
        {
            generation = await ControlPlane.GenerationAsync();
            using var response = await ControlPlane.Admin.GetAsync("/api/v1/config/virtualservice/default/reviews");
            last = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
            return holds(last) && generation == await ControlPlane.GenerationAsync();
        }, lastSeen: () => last ?? "(none)");
        await ControlPlane.WaitForSyncedAtAsync(ClientId, generation);
    }

    /// <summary>Waits until the client's sidecar holds reviews endpoints of exactly these workloads.</summary>
    public async Task WaitForReviewsEndpointsAsync(params string[] workloads)
    {
        IReadOnlySet<string> last = new HashSet<string>();
        await Poll.UntilAsync(
            $"reviews endpoints {string.Join(", ", workloads)} at the client",
            () => (last = Client.EndpointWorkloads(ReviewsFqdn)).SetEquals(workloads),
            lastSeen: () => string.Join(", ", last));
    }

    public ProxyHost SidecarOf(string version) => _reviews[$"reviews-{version}"].Sidecar;

    /// <summary>The app of a reviews workload (it answers with its name and records what its sidecar passed in).</summary>
    public TestBackend AppOf(string version) => _reviews[$"reviews-{version}"].App;

    /// <summary>Stops a reviews workload: its sidecar disconnects, then its app.</summary>
    public async Task StopReviewsAsync(string version)
    {
        var (app, sidecar) = _reviews[$"reviews-{version}"];
        _reviews.Remove($"reviews-{version}");
        await sidecar.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>Kills a reviews workload (app and sidecar at once, connections aborted), as a crashed pod.</summary>
    public async Task KillReviewsAsync(string version)
    {
        var (app, sidecar) = _reviews[$"reviews-{version}"];
        _reviews.Remove($"reviews-{version}");
        await Task.WhenAll(sidecar.KillAsync(), app.KillAsync());
    }

    /// <summary>Kills only a reviews workload's sidecar; its app keeps running (reachable only through that sidecar).</summary>
    public async Task KillReviewsSidecarAsync(string version)
    {
        var (app, sidecar) = _reviews[$"reviews-{version}"];
        _reviews.Remove($"reviews-{version}");
        _orphans.Add(app);
        await sidecar.KillAsync();
    }

    /// <summary>A reviews workload's bootstrap token, minted while the control plane runs, for a start during an outage.</summary>
    public string ReviewsToken(string version) =>
        ControlPlane.MintToken(new SidecarSpec($"reviews-{version}", "reviews", version).ServiceAccount, $"reviews-{version}");

    /// <summary>Stops the control plane; proxies keep their last snapshot and retry.</summary>
    public Task StopControlPlaneAsync() => ControlPlane.StopAsync();

    /// <summary>Kills the control plane (streams aborted, nothing drains); proxies keep their last snapshot and retry.</summary>
    public Task KillControlPlaneAsync() => ControlPlane.KillAsync();

    /// <summary>Starts the control plane again on the same directories and discovery port.</summary>
    public async Task StartControlPlaneAgainAsync()
    {
        ControlPlane = await ControlPlane.RestartAsync();
    }

    /// <summary>Runs meshctl in-process against the control plane, from the cluster's root directory.</summary>
    public async Task<(int ExitCode, string Output, string Error)> MeshCtlAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new Dictionary<string, string>
        {
            ["MESH_SERVER"] = ControlPlane.AdminUri.ToString(),
            ["MESH_TOKEN"] = ControlPlane.Token!,
        };
        var exitCode = await MeshCtl.RunAsync(args, new CliContext(output, error, name => environment.GetValueOrDefault(name), Root));
        return (exitCode, output.ToString(), error.ToString());
    }

    public static string Describe(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}"));

    public async ValueTask DisposeAsync()
    {
        Reviews?.Dispose();
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        foreach (var (app, sidecar) in _reviews.Values)
        {
            await sidecar.DisposeAsync();
            await app.DisposeAsync();
        }

        foreach (var app in _orphans)
        {
            await app.DisposeAsync();
        }

        await ControlPlane.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Starts another reviews version (app and sidecar), as a scale-up or new deployment does.</summary>
    /// <param name="token">Its bootstrap token when the control plane is down (<see cref="ReviewsToken"/>).</param>
    public async Task<ProxyHost> StartReviewsAsync(string version, string? token = null)
    {
        var app = await TestBackend.StartAsync($"reviews-{version}");
        var sidecar = await MeshProxies.StartSidecarAsync(
            new SidecarSpec($"reviews-{version}", "reviews", version) { AppPort = app.Port }, ControlPlane, token);
        _reviews[$"reviews-{version}"] = (app, sidecar);
        return sidecar;
    }
}
