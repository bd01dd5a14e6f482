using Mesh.Integration.Tests.Infrastructure;

namespace Mesh.Integration.Tests.Resilience;

/// <summary>The registry follows proxies: a workload that goes away stops getting traffic, a new one starts.</summary>
public sealed class WorkloadLifecycleTests
{
    [Fact]
    public async Task A_workload_that_disconnects_disappears_from_the_other_proxies_endpoints()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");

        await mesh.StopReviewsAsync("v2");

        await mesh.WaitForReviewsEndpointsAsync("reviews-v1");
        Assert.DoesNotContain(await mesh.ControlPlane.ProxiesAsync(), p => p.Id == "reviews-v2");
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 30 }, await mesh.CountAsync(30));
    }

    [Fact]
    public async Task A_workload_that_connects_joins_the_other_proxies_endpoints()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1");

        await mesh.StartReviewsAsync("v3");

        await mesh.WaitForReviewsEndpointsAsync("reviews-v1", "reviews-v3");
        await Poll.UntilAsync("reviews-v3 to get traffic", async () => (await mesh.CountAsync(10)).ContainsKey("reviews-v3"));
    }
}
