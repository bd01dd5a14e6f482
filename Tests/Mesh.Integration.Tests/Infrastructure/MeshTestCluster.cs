using Mesh.Cli;
using Mesh.Cli.Commands;
using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// A small mesh in one process (<see cref="TestMesh"/>) run as the Aspire hosting runs it:
/// production timings, a generated admin token and bootstrap key in the data directory. A
/// reviews-vN app with its sidecar per version (service "reviews", port 9080, labels app/version)
/// and a productpage sidecar whose app is the test — it calls reviews through the sidecar's
/// outbound listener, as productpage does. The config directory starts with the reviews
/// DestinationRule (subsets per version).
/// </summary>
public sealed class MeshTestCluster : IAsyncDisposable
{
    public const string ReviewsFqdn = "reviews.default.svc.cluster.local";
    public const string ClientId = "productpage-v1";

    private MeshTestCluster(TestMesh mesh) => Mesh = mesh;

    public TestMesh Mesh { get; }

    public TestControlPlane ControlPlane => Mesh.ControlPlane;

    public string Root => ControlPlane.Root;

    public string ConfigDirectory => ControlPlane.ConfigDirectory;

    /// <summary>The client workload's sidecar (productpage-v1).</summary>
    public ProxyHost Client => Mesh[ClientId].Sidecar;

    /// <summary>What the client app uses for reviews: its sidecar's outbound listener.</summary>
    public HttpClient Reviews { get; private set; } = null!;

    /// <summary>Ids of every connected proxy.</summary>
    public IReadOnlyCollection<string> ProxyIds => Mesh.ProxyIds;

    public static async Task<MeshTestCluster> StartAsync(params string[] versions)
    {
        var mesh = await TestMesh.StartAsync(new TestControlPlaneOptions
        {
            ProductionTimings = true,
            GenerateAdminToken = true,
            GenerateBootstrapKey = true,
            ConfigFiles = new Dictionary<string, string> { ["reviews-destination-rule.yaml"] = RoutingYaml.ReviewsSubsets(versions) },
        });
        var cluster = new MeshTestCluster(mesh);
        try
        {
            foreach (var version in versions)
            {
                await cluster.StartReviewsAsync(version);
            }

            await mesh.WorkloadAsync(new WorkloadSpec("productpage") { Upstreams = ["reviews"], WithApp = false });
            cluster.Reviews = new HttpClient { BaseAddress = cluster.Client.Outbound("reviews"), Timeout = TestHttp.Timeout };
            await cluster.ControlPlane.WaitForSyncedAsync(cluster.ProxyIds);
            await cluster.WaitForReviewsEndpointsAsync([.. versions.Select(v => $"reviews-{v}")]);
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

    /// <summary>Calls until <paramref name="streak"/> answers in a row came from <paramref name="workload"/>: traffic has followed a change.</summary>
    public async Task WaitUntilServedByAsync(string workload, string? endUser = null, int streak = 10)
    {
        var inARow = 0;
        var last = "";
        await Poll.UntilAsync(
            $"reviews served by {workload} {streak} times in a row",
            async () =>
            {
                last = await CallReviewsAsync(endUser);
                inARow = last == workload ? inARow + 1 : 0;
                return inARow >= streak;
            },
            () => $"{inARow} in a row; last answer from {last}");
    }

    /// <summary>Waits until the client's sidecar holds reviews endpoints of exactly these workloads.</summary>
    public Task WaitForReviewsEndpointsAsync(params string[] workloads) =>
        Poll.UntilAsync(
            $"reviews endpoints {string.Join(", ", workloads)} at the client",
            () => Client.EndpointWorkloads(ReviewsFqdn).SetEquals(workloads),
            () => string.Join(", ", Client.EndpointWorkloads(ReviewsFqdn)));

    public TestWorkload ReviewsOf(string version) => Mesh[$"reviews-{version}"];

    /// <summary>Starts another reviews version (app and sidecar), as a scale-up or new deployment does.</summary>
    public Task StartReviewsAsync(string version) => Mesh.WorkloadAsync(new WorkloadSpec("reviews", version));

    /// <summary>Stops a reviews workload: its sidecar disconnects, then its app.</summary>
    public Task StopReviewsAsync(string version) => Mesh.StopWorkloadAsync($"reviews-{version}");

    /// <summary>Stops the control plane; proxies keep their last snapshot and retry.</summary>
    public Task StopControlPlaneAsync() => Mesh.StopControlPlaneAsync();

    /// <summary>Starts the control plane again on the same directories and discovery port.</summary>
    public Task StartControlPlaneAgainAsync() => Mesh.StartControlPlaneAgainAsync();

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
        await Mesh.DisposeAsync();
    }
}
