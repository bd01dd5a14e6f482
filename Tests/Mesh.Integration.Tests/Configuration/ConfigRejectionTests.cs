using System.Net;
using System.Text.Json;
using Mesh.Integration.Tests.Infrastructure;
using Mesh.Testing.ControlPlane;
using Xunit.Abstractions;

namespace Mesh.Integration.Tests.Configuration;

/// <summary>Config that must not change routing: refused by the control plane, or NACKed by the proxies.</summary>
public sealed class ConfigRejectionTests(ITestOutputHelper output)
{
    /// <summary>
    /// Valid Istio that this proxy cannot honour: <c>maxRequestsPerConnection</c> above 1 (the .NET
    /// connection pool cannot count requests per pooled connection), so every proxy that would
    /// get the reviews cluster NACKs the snapshot — together with its route change to v1.
    /// </summary>
    // Valid Istio the proxy cannot honour: one request per connection is supported for HTTP/1.1
    // clusters only (validation cannot know a service's protocol; the proxy NACKs it).
    private static string UnsupportedPoolAndAllToV1 => $"""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: h2-api
        spec:
          hosts: [h2.example.com]
          location: MESH_EXTERNAL
          resolution: DNS
          ports: [{"{"}number: 80, name: http2, protocol: HTTP2{"}"}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: h2-api
        spec:
          host: h2.example.com
          trafficPolicy:
            connectionPool:
              http:
                maxRequestsPerConnection: 1
        ---
        {RoutingYaml.AllTo("v1")}
        """;

    [Fact]
    public async Task A_snapshot_the_proxies_nack_leaves_the_old_routing_serving_and_proxy_status_shows_nacked()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, await mesh.ControlPlane.ApplyAsync(RoutingYaml.AllTo("v2")));
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, await mesh.CountAsync(10));

        await mesh.ControlPlane.ApplyAsync(UnsupportedPoolAndAllToV1);

        ProxyStatus? client = null;
        await Poll.UntilAsync("the client's sidecar to NACK", async () => (client = await mesh.ControlPlane.ProxyAsync(MeshTestCluster.ClientId))?.Status == "NACKED");
        output.WriteLine($"NACK error: {client!.NackError}");
        Assert.Contains("max_requests_per_connection", client.NackError, StringComparison.Ordinal);
        Assert.Equal(client.SentVersion, client.NackedVersion);
        Assert.NotEqual(client.SentVersion, client.AckedVersion);

        // The last good snapshot keeps serving: everything still goes to v2, not the NACKed v1.
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 30 }, await mesh.CountAsync(30));
        using (var dump = await mesh.Client.ConfigDumpAsync())
        {
            Assert.Equal(client.AckedVersion, dump.RootElement.GetProperty("applied_version").GetString());
            Assert.Equal(client.NackedVersion, dump.RootElement.GetProperty("last_rejected").GetProperty("version").GetString());
        }

        var status = await mesh.MeshCtlAsync("proxy-status", MeshTestCluster.ClientId);
        output.WriteLine(status.Output);
        Assert.Contains("NACKED", status.Output, StringComparison.Ordinal);

        // A change the proxies can honour afterwards is applied and acknowledged again.
        var generation = await mesh.ControlPlane.ApplyAsync(RoutingYaml.ReviewsSubsets(["v1", "v2"]) + "---\n" + RoutingYaml.AllTo("v1")
            + "\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: h2-api}\nspec:\n  host: h2.example.com\n  trafficPolicy: {connectionPool: {tcp: {maxConnections: 10}}}\n");
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, generation);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v1"] = 10 }, await mesh.CountAsync(10));
        await mesh.ControlPlane.WaitForSyncedAsync(mesh.ProxyIds);
    }

    [Fact]
    public async Task Invalid_yaml_through_the_api_is_a_400_listing_every_error_and_changes_nothing()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");
        var generation = await mesh.ControlPlane.ApplyAsync(RoutingYaml.AllTo("v2"));
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, generation);

        // Document 1 alone would be a valid change (all to v1); document 2 has two errors.
        // Documents are numbered from 1, as in the formatted messages.
        var yaml = RoutingYaml.AllTo("v1") + "\n---\n" + """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: ratings
            spec:
              host: ratings
              trafficPolicy:
                loadBalancer:
                  simple: FASTEST
              subsetz:
              - name: v1
            """;
        using var response = await mesh.ControlPlane.PostYamlAsync("/api/v1/config", yaml);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        var errors = json.RootElement.GetProperty("errors").EnumerateArray().ToList();
        Assert.True(errors.Count >= 2, body);
        Assert.All(errors, e =>
        {
            Assert.False(string.IsNullOrEmpty(e.GetProperty("origin").GetString()));
            Assert.Equal(2, e.GetProperty("document").GetInt32());
            Assert.Matches(@"^api request \(document 2, line \d+\) DestinationRule/ratings: spec\.", e.GetProperty("formatted").GetString());
            Assert.Equal("DestinationRule", e.GetProperty("kind").GetString());
            Assert.Equal("ratings", e.GetProperty("name").GetString());
        });
        var paths = errors.Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Contains("spec.trafficPolicy.loadBalancer.simple", paths);
        Assert.Contains("spec.subsetz", paths);

        // Nothing changed: same generation, same objects, same routing.
        Assert.Equal(generation, await mesh.ControlPlane.GenerationAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await mesh.ControlPlane.Admin.GetAsync("/api/v1/config/destinationrule/default/ratings")).StatusCode);
        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 20 }, await mesh.CountAsync(20));
    }

    [Fact]
    public async Task A_service_entry_for_an_external_https_api_does_not_stop_the_sidecars_taking_config()
    {
        await using var mesh = await MeshTestCluster.StartAsync("v1", "v2");

        // Istio's egress staple: an external API on 443 (TLS end to end, no HTTP routes).
        var generation = await mesh.ControlPlane.ApplyAsync("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: external-api
            spec:
              hosts:
              - api.example.com
              location: MESH_EXTERNAL
              ports:
              - number: 443
                name: https
                protocol: HTTPS
              resolution: DNS
            """);
        await mesh.ControlPlane.WaitForSyncedAtAsync(MeshTestCluster.ClientId, generation);

        // Later routing changes are still taken by every proxy.
        generation = await mesh.ControlPlane.ApplyAsync(RoutingYaml.AllTo("v2"));
        foreach (var id in mesh.ProxyIds)
        {
            await mesh.ControlPlane.WaitForSyncedAtAsync(id, generation);
        }

        Assert.Equal(new Dictionary<string, int> { ["reviews-v2"] = 10 }, await mesh.CountAsync(10));
    }
}
