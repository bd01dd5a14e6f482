using System.Net;
using Mesh.Integration.Tests.Infrastructure;
using Mesh.Integration.Tests.L4;
using Mesh.Testing.Backends;
using Mesh.Testing.ControlPlane;
using Mesh.Testing.Proxy;

namespace Mesh.Integration.Tests.Resilience;

/// <summary>
/// Istio's "Locality failover" and "Locality weighted distribution" tasks with their
/// DestinationRules unchanged (samples/helloworld/): helloworld in namespace sample in region1/zone1,
/// region1/zone2, region2/zone3 and region3/zone4, called from curl in region1/zone1 — as the
/// AppHost runs them with <c>--LocalityTask true</c>. The task's "drain the listeners" step is the
/// app going away behind its sidecar (its endpoint stays; calls to it fail and outlier detection ejects it).
/// </summary>
public sealed class LocalityTaskTests
{
    private static readonly (string Region, string Zone)[] Localities = [("region1", "zone1"), ("region1", "zone2"), ("region2", "zone3"), ("region3", "zone4")];

    [Fact]
    public async Task Failover_goes_to_the_next_zone_then_to_the_failover_region()
    {
        await using var task = await LocalityTask.StartAsync("locality-failover-destination-rule.yaml");

        await task.WaitUntilServedByAsync("helloworld-region1-zone1");

        // Step "Failover to region1.zone2": helloworld-region1-zone1 stops answering.
        await task.StopAppAsync("helloworld-region1-zone1");
        await task.WaitUntilServedByAsync("helloworld-region1-zone2");

        // Step "Failover to region3.zone4" (the failover target, before region2).
        await task.StopAppAsync("helloworld-region1-zone2");
        await task.WaitUntilServedByAsync("helloworld-region3-zone4");
    }

    [Fact]
    public async Task Distribute_sends_70_20_10_from_region1_zone1()
    {
        const int Calls = 1000;
        await using var task = await LocalityTask.StartAsync("locality-distribute-destination-rule.yaml");
        await task.WaitForEndpointsAsync("helloworld-region1-zone1", "helloworld-region1-zone2", "helloworld-region3-zone4");

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Calls; i++)
        {
            var workload = await task.CallAsync();
            counts[workload] = counts.GetValueOrDefault(workload) + 1;
        }

        foreach (var (workload, p) in new[] { ("helloworld-region1-zone1", 0.7), ("helloworld-region1-zone2", 0.2), ("helloworld-region3-zone4", 0.1) })
        {
            var tolerance = 5 * Math.Sqrt(Calls * p * (1 - p));
            var observed = counts.GetValueOrDefault(workload);
            Assert.True(Math.Abs(observed - (Calls * p)) <= tolerance, $"{workload}: {observed} of {Calls}, expected {Calls * p} ± {tolerance:F0}");
        }

        Assert.Equal(0, counts.GetValueOrDefault("helloworld-region2-zone3"));
    }

    private sealed class LocalityTask : IAsyncDisposable
    {
        private readonly string _root;
        private readonly TestControlPlane _controlPlane;
        private readonly List<IAsyncDisposable> _parts = [];
        private readonly Dictionary<string, TestBackend> _apps = [];
        private HttpClient _client = null!;
        private ProxyHost _curl = null!;

        private LocalityTask(string root, TestControlPlane controlPlane)
        {
            _root = root;
            _controlPlane = controlPlane;
        }

        public static async Task<LocalityTask> StartAsync(string destinationRule)
        {
            var root = Path.Combine(Path.GetTempPath(), "mesh-integration-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(root, "config"));
            File.Copy(Path.Combine(TcpEchoMesh.RepositoryRoot, "samples", "helloworld", destinationRule), Path.Combine(root, "config", destinationRule));
            var task = new LocalityTask(root, await MeshProxies.StartControlPlaneAsync(root));
            try
            {
                var ids = new List<string> { "curl" };
                foreach (var (region, zone) in Localities)
                {
                    var name = $"helloworld-{region}-{zone}";
                    var app = await TestBackend.StartAsync(name);
                    task._apps[name] = app;
                    task._parts.Add(app);
                    task._parts.Add(await MeshProxies.StartSidecarAsync(
                        new SidecarSpec(name, "helloworld", $"{region}.{zone}") { AppPort = app.Port, ServicePort = 5000, Namespace = "sample", Labels = At(region, zone) },
                        task._controlPlane));
                    ids.Add(name);
                }

                var curl = await MeshProxies.StartSidecarAsync(
                    new SidecarSpec("curl", "curl", "v1") { Upstreams = ["helloworld"], ServicePort = 5000, Namespace = "sample", Labels = At("region1", "zone1") },
                    task._controlPlane);
                task._parts.Add(curl);
                task._curl = curl;
                task._client = new HttpClient { BaseAddress = curl.Outbound("helloworld"), Timeout = TimeSpan.FromSeconds(10) };
                await task._controlPlane.WaitForSyncedAsync(ids);
                return task;
            }
            catch
            {
                await task.DisposeAsync();
                throw;
            }
        }

        private static Dictionary<string, string> At(string region, string zone) => new() { ["istio-locality"] = $"{region}.{zone}" };

        /// <summary>The task's <c>curl helloworld.sample:5000/hello</c>: the workload that answered, or the failure.</summary>
        public async Task<string> CallAsync()
        {
            using var response = await _client.GetAsync("/hello");
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK ? body : $"{(int)response.StatusCode} {body}";
        }

        public async Task WaitUntilServedByAsync(string workload, int streak = 10)
        {
            var inARow = 0;
            var last = "";
            await Poll.UntilAsync($"helloworld served by {workload} {streak} times in a row", async () =>
            {
                last = await CallAsync();
                inARow = last == workload ? inARow + 1 : 0;
                return inARow >= streak;
            }, lastSeen: () => last, budget: TimeSpan.FromSeconds(30));
        }

        /// <summary>
        /// Waits until curl's sidecar holds exactly these helloworld endpoints (a locality the
        /// distribution gives no weight is not sent): before that a distribution counts a different
        /// set, and one answer from a zone proves only that zone.
        /// </summary>
        public async Task WaitForEndpointsAsync(params string[] workloads)
        {
            IReadOnlySet<string> last = new HashSet<string>();
            await Poll.UntilAsync(
                $"curl's sidecar to hold the helloworld endpoints {string.Join(", ", workloads)}",
                () => (last = _curl.EndpointWorkloads("helloworld.sample.svc.cluster.local")).SetEquals(workloads),
                lastSeen: () => string.Join(", ", last));
        }

        public ValueTask StopAppAsync(string workload) => _apps[workload].DisposeAsync();

        public async ValueTask DisposeAsync()
        {
            _client?.Dispose();
            foreach (var part in Enumerable.Reverse(_parts))
            {
                await part.DisposeAsync();
            }

            await _controlPlane.DisposeAsync();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
