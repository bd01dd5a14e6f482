using Mesh.Proxy.Traffic;
using Mesh.Proxy.Traffic.CircuitBreaking;
using Mesh.Proxy.Traffic.Common;
using Mesh.Proxy.Traffic.Headers;
using Mesh.Proxy.Traffic.LoadBalancing;
using Mesh.Proxy.Traffic.Mirroring;
using Mesh.Proxy.Traffic.OutlierDetection;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Tests.Traffic.Unit;

/// <summary>Table-driven unit tests of the traffic models' pure parts.</summary>
public sealed class TrafficModelTests
{
    [Theory]
    [InlineData("reviews:9080", "reviews-shadow:9080")]
    [InlineData("reviews", "reviews-shadow")]
    [InlineData("httpbin.default.svc.cluster.local:8000", "httpbin.default.svc.cluster.local-shadow:8000")]
    [InlineData("[::1]:80", "[::1]-shadow:80")]
    public void Shadow_host_appends_the_suffix_to_the_host_part(string authority, string expected)
        => Assert.Equal(expected, MirrorRequest.ShadowHost(authority));

    [Theory]
    [InlineData("\\2/instance/\\1", "${2}/instance/${1}")]
    [InlineData("/price$", "/price$$")]
    [InlineData("a\\\\b", "a\\b")]
    [InlineData("/plain", "/plain")]
    public void Regex_rewrite_substitutions_translate_RE2_groups(string rewrite, string expected)
        => Assert.Equal(expected, RewriteModel.TranslateSubstitution(rewrite));

    [Theory]
    [InlineData(0, 30_000)]
    [InlineData(1, 30_000)]
    [InlineData(3, 90_000)]
    [InlineData(20, 300_000)]
    public void Ejection_time_grows_with_each_ejection_up_to_Envoys_cap(int ejections, int expectedMs)
    {
        var model = new OutlierDetectionModel { BaseEjectionTime = TimeSpan.FromSeconds(30) };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), model.EjectionTime(ejections));
    }

    [Fact]
    public void A_base_ejection_time_above_the_cap_is_still_honoured()
    {
        var model = new OutlierDetectionModel { BaseEjectionTime = TimeSpan.FromMinutes(10) };
        Assert.Equal(TimeSpan.FromMinutes(10), model.EjectionTime(3));
    }

    [Theory]
    [InlineData(400, 13)]
    [InlineData(401, 16)]
    [InlineData(403, 7)]
    [InlineData(404, 12)]
    [InlineData(429, 14)]
    [InlineData(503, 14)]
    [InlineData(500, 2)]
    public void Http_statuses_map_to_grpc_as_Envoy_maps_them(int http, int grpc)
        => Assert.Equal(grpc, GrpcReply.StatusForHttp(http));

    [Theory]
    [InlineData("UNAVAILABLE", 14)]
    [InlineData("unavailable", 14)]
    [InlineData("DEADLINE_EXCEEDED", 4)]
    [InlineData("14", 14)]
    public void Grpc_status_names_and_numbers_parse(string text, int code)
    {
        Assert.True(GrpcReply.TryParseStatus(text, out var parsed));
        Assert.Equal(code, parsed);
    }

    [Theory]
    [InlineData("NOPE")]
    [InlineData("17")]
    [InlineData("")]
    public void Unknown_grpc_statuses_do_not_parse(string text) => Assert.False(GrpcReply.TryParseStatus(text, out _));

    [Fact]
    public void Hash_ring_gives_every_endpoint_its_share_of_points_and_picks_deterministically()
    {
        var destinations = Enumerable.Range(0, 3).Select(i => new DestinationState($"10.0.0.{i}:80")).ToArray();
        var ring = new HashRing(destinations, minimumRingSize: 1024);

        Assert.Equal(3 * 342, ring.Size);
        var counts = new int[3];
        for (var key = 0; key < 3000; key++)
        {
            var hash = HashRing.Hash($"user-{key}");
            var owner = ring.Pick(hash, destinations)!;
            Assert.Same(owner, ring.Pick(hash, destinations));
            counts[Array.IndexOf(destinations, owner)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 700, 1300)); // an even spread within ring hash's variance
    }

    [Fact]
    public void Hash_ring_walks_on_to_an_available_endpoint_when_the_owner_was_already_tried()
    {
        var destinations = Enumerable.Range(0, 3).Select(i => new DestinationState($"10.0.0.{i}:80")).ToArray();
        var ring = new HashRing(destinations, 16);
        var hash = HashRing.Hash("jason");
        var owner = ring.Pick(hash, destinations)!;

        var others = destinations.Where(d => d != owner).ToArray();
        var next = ring.Pick(hash, others);

        Assert.NotNull(next);
        Assert.NotSame(owner, next);
        Assert.Same(next, ring.Pick(hash, others));
    }

    [Fact]
    public void Maglev_table_gives_every_endpoint_an_equal_share_and_walks_past_tried_endpoints()
    {
        var destinations = Enumerable.Range(0, 3).Select(i => new DestinationState($"10.0.0.{i}:80")).ToArray();
        var table = new MaglevTable(destinations, 65537);

        var counts = new int[3];
        for (ulong entry = 0; entry < 65537; entry++)
        {
            counts[Array.IndexOf(destinations, table.Pick(entry, destinations))]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 21845, 21846)); // Maglev: each owns ⌊M/N⌋ or ⌈M/N⌉ entries
        var hash = HashRing.Hash("jason");
        var owner = table.Pick(hash, destinations)!;
        var others = destinations.Where(d => d != owner).ToArray();
        Assert.NotSame(owner, table.Pick(hash, others));
    }

    [Fact]
    public void Maglev_moves_few_keys_when_an_endpoint_leaves()
    {
        var destinations = Enumerable.Range(0, 5).Select(i => new DestinationState($"10.0.0.{i}:80")).ToArray();
        var before = new MaglevTable(destinations, 65537);
        var after = new MaglevTable(destinations[..4], 65537);

        var moved = 0;
        var keys = 0;
        for (var key = 0; key < 5000; key++)
        {
            var hash = HashRing.Hash($"user-{key}");
            var owner = before.Pick(hash, destinations)!;
            if (owner != destinations[4])
            {
                keys++;
                moved += after.Pick(hash, destinations[..4]) == owner ? 0 : 1;
            }
        }

        Assert.True(moved < keys / 10, $"{moved} of {keys} keys of the remaining endpoints moved");
    }

    [Fact]
    public async Task Connection_pool_admits_queues_first_come_first_served_and_overflows()
    {
        var limits = new ConnectionPoolModel { MaxConnections = 1, MaxPendingRequests = 2, Http1 = true };
        var pool = new ConnectionPoolState();

        Assert.Equal(PoolAdmission.Admitted, pool.TryAdmit(limits));
        Assert.Equal(PoolAdmission.Pending, pool.TryAdmit(limits));
        var first = pool.WaitAsync(limits, CancellationToken.None).AsTask();
        Assert.Equal(PoolAdmission.Pending, pool.TryAdmit(limits));
        var second = pool.WaitAsync(limits, CancellationToken.None).AsTask();
        Assert.Equal(PoolAdmission.Overflow, pool.TryAdmit(limits));

        pool.Release(limits);
        Assert.True(await first);
        Assert.False(second.IsCompleted);
        pool.Release(limits);
        Assert.True(await second);
        pool.Release(limits);
        Assert.Equal((0, 0), (pool.Active, pool.Pending));
    }

    [Fact]
    public async Task A_cancelled_waiter_gives_its_place_back_and_never_gets_a_slot()
    {
        var limits = new ConnectionPoolModel { MaxConnections = 1, Http1 = true };
        var pool = new ConnectionPoolState();
        Assert.Equal(PoolAdmission.Admitted, pool.TryAdmit(limits));
        using var cancel = new CancellationTokenSource();
        Assert.Equal(PoolAdmission.Pending, pool.TryAdmit(limits));
        var waiting = pool.WaitAsync(limits, cancel.Token).AsTask();

        cancel.Cancel();
        Assert.False(await waiting);
        pool.Release(limits);

        Assert.Equal((0, 0), (pool.Active, pool.Pending));
        Assert.Equal(PoolAdmission.Admitted, pool.TryAdmit(limits));
    }

    [Fact]
    public async Task Under_contention_the_pool_never_exceeds_its_limit_and_ends_empty()
    {
        var limits = new ConnectionPoolModel { MaxConnections = 3, Http1 = true };
        var pool = new ConnectionPoolState();
        var inFlight = 0;
        var peak = 0;
        await Parallel.ForAsync(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            var admission = pool.TryAdmit(limits);
            if (admission == PoolAdmission.Pending && !await pool.WaitAsync(limits, CancellationToken.None))
            {
                return;
            }

            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Yield();
            Interlocked.Decrement(ref inFlight);
            pool.Release(limits);
        });

        Assert.InRange(peak, 1, 3);
        Assert.Equal((0, 0), (pool.Active, pool.Pending));
    }

    [Fact]
    public void Retry_limit_counts_outstanding_retries()
    {
        var pool = new ConnectionPoolState();

        Assert.True(pool.TryBeginRetry(2));
        Assert.True(pool.TryBeginRetry(2));
        Assert.False(pool.TryBeginRetry(2));
        pool.EndRetry();
        Assert.True(pool.TryBeginRetry(2));
        Assert.True(pool.TryBeginRetry(0)); // 0: unlimited (Istio's default)
    }

    [Theory]
    [InlineData(20.0, 3, 0, 3)]
    [InlineData(20.0, 3, 100, 20)]
    [InlineData(50.0, 1, 9, 4)]
    [InlineData(0.0, 1, 1000, 1)]
    public void Retry_budget_is_a_share_of_active_requests_with_a_floor(double percent, int minimum, int active, int expected)
        => Assert.Equal(expected, new RetryBudgetModel(percent, minimum).LimitFor(active));

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
