using System.Text.Json;
using Mesh.ControlPlane.Console;

namespace Mesh.ControlPlane.Tests.Console;

/// <summary>The graph from readings in the proxies' /stats format (parsed, as the poller parses them).</summary>
public sealed class TrafficGraphBuilderTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_first_reading_rates_a_proxy_that_started_within_the_window_but_not_a_long_running_one()
    {
        var stub = StubFor("reviews-v1", n => [new StubEdge("destination", "productpage", "reviews-v1", 10 * n, 0, 5)]);

        var young = TrafficGraphBuilder.Build([ReadingPair.Of(null, Read(stub, 2), Window)], []).Edges.Single();
        Assert.Equal(5.0, young.RequestsPerSecond, 3); // 20 requests in the 4 s since it started
        Assert.Equal(4.0, young.WindowSeconds);

        var old = TrafficGraphBuilder.Build([ReadingPair.Of(null, Read(stub, 100), Window)], []).Edges.Single();
        Assert.Equal(0, old.RequestsPerSecond);       // its lifetime average is no recent rate: wait for a second reading
        Assert.Equal(0, old.WindowSeconds);
        Assert.Null(old.SuccessRate);
        Assert.Equal(1000, old.TotalRequests);
    }

    [Fact]
    public void A_restarted_proxy_is_measured_from_its_start_not_against_its_previous_life()
    {
        var stub = StubFor("reviews-v1", n => [new StubEdge("destination", "productpage", "reviews-v1", 10 * n, 0, 5)]);
        var before = Read(stub, 50);                  // 500 requests in the old process
        var after = Read(stub, 1) with { StartedAt = before.StartedAt.AddMinutes(5), Now = before.StartedAt.AddMinutes(5).AddSeconds(2) };

        var edge = TrafficGraphBuilder.Build([ReadingPair.Of(before, after, Window)], []).Edges.Single();

        Assert.Equal(5.0, edge.RequestsPerSecond, 3);
        Assert.Equal(10, edge.WindowRequests);
    }

    [Fact]
    public void Counters_that_went_back_are_counted_from_zero()
    {
        var stub = StubFor("reviews-v1", n => [new StubEdge("destination", "productpage", "reviews-v1", n == 9 ? 1000 : 10 * n, 0, 5)]);
        var edge = TrafficGraphBuilder.Build([ReadingPair.Of(Read(stub, 9), Read(stub, 10), Window)], []).Edges.Single();

        Assert.Equal(100, edge.WindowRequests);
        Assert.True(edge.RequestsPerSecond >= 0);
    }

    [Fact]
    public void Replicas_of_a_workload_add_up_and_mixed_security_is_called_mixed()
    {
        var one = StubFor("reviews-v1", n => [new StubEdge("destination", "productpage", "reviews-v1", 10 * n, n, 5)]);
        var two = StubFor("reviews-v1", n => [new StubEdge("destination", "productpage", "reviews-v1", 30 * n, 0, 5, "none")]);

        var edge = TrafficGraphBuilder.Build([Pair(one, 1, 2), Pair(two, 1, 2)], []).Edges.Single();

        Assert.Equal(20.0, edge.RequestsPerSecond, 3);  // 5 + 15 per second
        Assert.Equal(1 - (1.0 / 40), edge.SuccessRate!.Value, 4);
        Assert.Equal("mixed", edge.Security);
    }

    [Fact]
    public void Traffic_from_outside_the_mesh_comes_from_the_unknown_node_and_idle_edges_keep_their_totals()
    {
        var gateway = StubFor("productpage-v1", n => [new StubEdge("destination", "unknown", "productpage-v1", 7, 0, 5, "none")]);

        var graph = TrafficGraphBuilder.Build([Pair(gateway, 1, 2)], []);

        var edge = graph.Edges.Single();
        Assert.Equal(TrafficGraphBuilder.UnknownNode, edge.Source);
        Assert.Equal("none", edge.Security);
        Assert.Equal(0, edge.RequestsPerSecond);
        Assert.Null(edge.SuccessRate);
        Assert.Null(edge.P50Ms);
        Assert.Equal(7, edge.TotalRequests);
        Assert.Contains(graph.Nodes, n => n.Id == TrafficGraphBuilder.UnknownNode && n.Kind == "unknown");
    }

    [Fact]
    public void Each_proxy_shows_the_traffic_it_received_itself()
    {
        // Two replicas of details behind one service: the graph sums them, each proxy's row shows its share.
        var busy = StubFor("details", n => [new StubEdge("destination", "productpage", "details", 30 * n, 3 * n, 5), new StubEdge("source", "details", "ratings", 100 * n, 0, 5)]);
        var quiet = StubFor("details", n => [new StubEdge("destination", "productpage", "details", 10 * n, 0, 5)]);

        var (busyRate, busySuccess, busyTotal) = ProxyInboundTraffic.Of(Pair(busy, 1, 2));
        var (quietRate, quietSuccess, _) = ProxyInboundTraffic.Of(Pair(quiet, 1, 2));

        Assert.Equal(15.0, busyRate, 3);               // 30 requests over 2 s; its own calls to ratings do not count
        Assert.Equal(0.9, busySuccess!.Value, 4);
        Assert.Equal(60, busyTotal);
        Assert.Equal(5.0, quietRate, 3);
        Assert.Equal(1.0, quietSuccess!.Value, 4);
        Assert.Null(ProxyInboundTraffic.Of(Pair(quiet, 1, 1)).SuccessRate);
    }

    private static StatsStubReadings StubFor(string workload, Func<int, IEnumerable<StubEdge>> edges) => new(workload, edges);

    private static ReadingPair Pair(StatsStubReadings stub, int baseline, int latest) => ReadingPair.Of(Read(stub, baseline), Read(stub, latest), Window);

    private static ProxyStatsReading Read(StatsStubReadings stub, int n) =>
        JsonSerializer.Deserialize(stub.Write(n), ConsoleJsonContext.Default.ProxyStatsReading)!;

    /// <summary>The stub's JSON without its server (the same document the functional tests serve).</summary>
    private sealed class StatsStubReadings(string workload, Func<int, IEnumerable<StubEdge>> edges)
    {
        public string Write(int n) => StatsStub.Document(workload, edges, n);
    }
}
