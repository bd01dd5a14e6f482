using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Mesh.EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Mesh.EndToEnd.Tests.Traffic;

/// <summary>
/// The load-balancing task of docs/traffic-management.md on the AppHost, whose details service runs
/// two replicas (<c>WithReplicas(2)</c>), each with its own sidecar (nodes details-0 and details-1).
/// productpage's <c>/api/v1/products/0</c> makes exactly one call to details; how many each replica
/// received is read from its own sidecar's <c>/stats</c> (the edges it reported as destination).
/// The configuration is the task's own files (<c>samples/bookinfo/load-balancing/</c>).
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(MeshAppCollection.Name)]
public sealed class LoadBalancingTaskTests(MeshAppFixture mesh, ITestOutputHelper output)
{
    private const string DetailsApi = "/api/v1/products/0";
    private static readonly string[] Replicas = ["details-0", "details-1"];
    private static readonly TimeSpan SyncTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("ROUND_ROBIN")]
    [InlineData("LEAST_REQUEST")]
    public async Task Requests_spread_over_both_replicas(string balancer)
    {
        await using var rule = await ApplyAndSyncAsync($"destination-rule-details-{balancer.ToLowerInvariant().Replace('_', '-')}.yaml");

        var spread = await SendAsync(mesh.ProductPage, 40);

        output.WriteLine($"{balancer}: {string.Join(", ", spread.Select(s => $"{s.Key} {s.Value}"))}");
        Assert.Equal(40, spread.Values.Sum());
        // ROUND_ROBIN alternates; LEAST_REQUEST with one request at a time picks the less loaded of
        // two random endpoints, a tie every time: 40 requests all to one replica is a 2^-40 chance.
        Assert.All(Replicas, r => Assert.True(spread[r] >= (balancer == "ROUND_ROBIN" ? 15 : 1), $"{r} got {spread[r]} of 40"));
    }

    [Fact]
    public async Task Consistent_hash_on_the_end_user_header_pins_a_user_to_one_replica()
    {
        await using var rule = await ApplyAndSyncAsync("destination-rule-details-consistent-hash.yaml");
        using var jason = await TrafficTasks.SignedInAsync(mesh.ProductPage, "jason");

        var spread = await SendAsync(jason, 20);

        output.WriteLine($"jason: {string.Join(", ", spread.Select(s => $"{s.Key} {s.Value}"))}");
        Assert.Contains(20, spread.Values);
        Assert.Contains(0, spread.Values);
    }

    [Fact]
    public async Task A_failing_replica_is_ejected_by_outlier_detection_and_returns_after_its_ejection_time()
    {
        await using var rules = await ApplyAndSyncAsync("details-outlier-detection.yaml");
        using var failing = mesh.CreateHttpClient("details-sidecar-0", "app-http");
        using (var on = await failing.PutAsync("/admin/fail", null))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        try
        {
            // The first request that reaches details-0 fails, is retried on details-1 and ejects
            // details-0: none of the requests fails, and details-0 gets no more of them while ejected.
            await SendAsync(mesh.ProductPage, 10);
            var ejected = await CountsAsync();
            var spread = await SendAsync(mesh.ProductPage, 10);
            output.WriteLine($"while details-0 fails: {string.Join(", ", spread.Select(s => $"{s.Key} {s.Value}"))}");
            Assert.Equal(0, spread["details-0"]);
            Assert.Equal(ejected["details-0"], (await CountsAsync())["details-0"]);
        }
        finally
        {
            using var off = await failing.DeleteAsync("/admin/fail");
        }

        // Recovered, details-0 gets requests again once its ejection time is over.
        var before = (await CountsAsync())["details-0"];
        var sent = 0;
        await Poll.UntilAsync(
            "details-0 to receive requests again after its ejection",
            async ct =>
            {
                await SendAsync(mesh.ProductPage, 1, ct);
                sent++;
                return (await CountsAsync(ct))["details-0"] > before;
            },
            () => $"{sent} requests sent since the failure switch went off",
            budget: TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_killed_replica_leaves_the_endpoint_set_and_returns_when_started_again()
    {
        Assert.Equal(2, await DetailsEndpointCountAsync());
        using var replica = mesh.CreateHttpClient("details-sidecar-1", "app-http");
        var instance = (await replica.GetFromJsonAsync<JsonObject>("/admin/fail"))!["instance"]!.GetValue<string>();
        var resourceId = $"details-{instance}";
        Assert.True(mesh.App.ResourceNotifications.TryGetCurrentState(resourceId, out var state), $"no resource {resourceId}");
        var pid = Convert.ToInt32(state.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);

        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(entireProcessTree: true);
        }

        try
        {
            await Poll.UntilAsync(
                "the killed replica's endpoint to leave productpage's details cluster",
                async ct => await DetailsEndpointCountAsync(ct) == 1,
                () => "details still has 2 endpoints",
                budget: SyncTimeout);
            var spread = await SendAsync(mesh.ProductPage, 10);
            Assert.Equal(10, spread["details-0"]);
        }
        finally
        {
            var commands = mesh.App.Services.GetRequiredService<ResourceCommandService>();
            var started = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand);
            output.WriteLine($"restart {resourceId}: {started.Success} {started.Message}");
        }

        await Poll.UntilAsync(
            "the restarted replica to be an endpoint again",
            async ct => await DetailsEndpointCountAsync(ct) == 2,
            () => "details has 1 endpoint",
            budget: TimeSpan.FromMinutes(3));
    }

    /// <summary>Applies a file of <c>samples/bookinfo/load-balancing/</c> and waits until productpage's sidecar has it.</summary>
    private async Task<AppliedConfig> ApplyAndSyncAsync(string fileName)
    {
        var path = Path.Combine(MeshAppFixture.RepositoryRoot, "samples", "bookinfo", "load-balancing", fileName);
        var applied = await mesh.ApplyAsync(await File.ReadAllTextAsync(path));
        await mesh.Admin.WaitForProxySyncedAsync("productpage", applied.Change!.Generation, SyncTimeout);
        return applied;
    }

    /// <summary>Sends requests through productpage to details (each must succeed); returns what each replica received meanwhile.</summary>
    private async Task<Dictionary<string, long>> SendAsync(HttpClient client, int requests, CancellationToken cancellationToken = default)
    {
        var before = await CountsAsync(cancellationToken);
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.GetAsync(DetailsApi, cancellationToken);
            Assert.True(response.IsSuccessStatusCode, $"request {i + 1}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var after = await CountsAsync(cancellationToken);
        return Replicas.ToDictionary(r => r, r => after[r] - before[r]);
    }

    /// <summary>Requests each details replica's sidecar received (its /stats, edges it reported as destination).</summary>
    private async Task<Dictionary<string, long>> CountsAsync(CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < Replicas.Length; i++)
        {
            using var admin = mesh.CreateHttpClient($"details-sidecar-{i}", "admin");
            var stats = (await admin.GetFromJsonAsync<JsonObject>("/stats", cancellationToken))!;
            Assert.Equal(Replicas[i], stats["node"]!["id"]!.GetValue<string>());
            counts[Replicas[i]] = stats["edges"]!.AsArray()
                .Where(e => e!["reporter"]!.GetValue<string>() == "destination")
                .Sum(e => e!["requests"]!.GetValue<long>());
        }

        return counts;
    }

    /// <summary>The endpoints of details' cluster in the snapshot the control plane last sent productpage's sidecar.</summary>
    private async Task<int> DetailsEndpointCountAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = (await mesh.Admin.Http.GetFromJsonAsync<JsonObject>("/api/v1/proxies/productpage/config", cancellationToken))!;
        var cluster = snapshot["clusters"]!.AsArray()
            .Single(c => c!["name"]!.GetValue<string>().StartsWith("outbound|9080||details.", StringComparison.Ordinal));
        return cluster!["endpoints"]?.AsArray().Count ?? 0;
    }
}
