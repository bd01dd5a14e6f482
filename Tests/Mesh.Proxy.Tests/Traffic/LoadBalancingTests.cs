using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>DestinationRule loadBalancer: consistent hashing (ring hash) and the simple policies, observed at real endpoints.</summary>
public sealed class LoadBalancingTests
{
    private static readonly string Reviews = ClusterName("reviews", 9080);

    [Theory]
    [InlineData(0ul)] // ring hash, Istio's default
    [InlineData(65537ul)] // consistentHash.maglev.tableSize
    public async Task Header_hash_keeps_each_user_on_one_endpoint_and_spreads_users(ulong maglevTableSize)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var endpoints = await EndpointsAsync(bed, 3);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var hash = new ConsistentHash { HttpHeaderName = "x-user", MaglevTableSize = maglevTableSize };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [Hashed(endpoints, hash)]));

        var placement = await PlaceUsersAsync(bed.Client, proxy.OutboundPort("reviews"), users: 30, requestsEach: 4, (request, user) => request.Headers.Add("x-user", user));

        Assert.All(placement.Values, servedBy => Assert.Single(servedBy.Distinct()));
        Assert.True(placement.Values.Select(s => s[0]).Distinct().Count() >= 2, "30 users should not all hash to one endpoint");
    }

    [Fact]
    public async Task Query_parameter_and_source_ip_hashes_are_sticky()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var endpoints = await EndpointsAsync(bed, 3);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080).Outbound("ratings", 9080));
        var ratings = ClusterName("ratings", 9080);
        var byQuery = Hashed(endpoints, new ConsistentHash { HttpQueryParameterName = "session" });
        var bySource = Hashed(endpoints, new ConsistentHash { UseSourceIp = true });
        bySource.Name = ratings;
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews)), ServiceHost("ratings", 9080, To(ratings))], [byQuery, bySource]));

        var query = new HashSet<string>();
        var source = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            query.Add(await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/?session=abc123")));
            source.Add(await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/")));
        }

        Assert.Single(query);
        Assert.Single(source); // every test request comes from 127.0.0.1
    }

    [Fact]
    public async Task Cookie_hash_with_ttl_generates_the_cookie_and_the_client_sticks_with_it()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var endpoints = await EndpointsAsync(bed, 3);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var cookie = new HttpCookie { Name = "session-affinity", Path = "/", Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [Hashed(endpoints, new ConsistentHash { HttpCookie = cookie })]));
        var url = TestHttp.Local(proxy.OutboundPort("reviews"), "/");
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false });

        var servedBy = new HashSet<string>();
        for (var client = 0; client < 8; client++)
        {
            var first = await browser.GetAsync(url);
            var setCookie = Assert.Single(first.Headers.GetValues("set-cookie"));
            Assert.Matches("^session-affinity=\"[0-9a-f]{16}\"; Max-Age=3600; Path=/; HttpOnly$", setCookie);
            var value = setCookie.Split(';')[0];
            var home = await first.Content.ReadAsStringAsync();
            servedBy.Add(home);
            for (var i = 0; i < 5; i++)
            {
                using var again = new HttpRequestMessage(HttpMethod.Get, url);
                again.Headers.Add("Cookie", value);
                var response = await browser.SendAsync(again);
                Assert.Equal(home, await response.Content.ReadAsStringAsync());
                Assert.False(response.Headers.Contains("set-cookie"), "a client that has the cookie gets no new one");
            }
        }

        Assert.True(servedBy.Count >= 2, "8 generated cookies should not all hash to one endpoint");
    }

    [Fact]
    public async Task When_an_endpoint_leaves_only_its_users_move()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var endpoints = await EndpointsAsync(bed, 4);
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var hash = new ConsistentHash { HttpHeaderName = "x-user" };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [Hashed(endpoints, hash)]));
        var port = proxy.OutboundPort("reviews");
        var before = await PlaceUsersAsync(bed.Client, port, users: 40, requestsEach: 1, (request, user) => request.Headers.Add("x-user", user));

        var leaving = endpoints[3].Name;
        await bed.ApplyAsync(Snapshot("2", [ServiceHost("reviews", 9080, To(Reviews))], [Hashed(endpoints[..3], hash)]));
        var after = await PlaceUsersAsync(bed.Client, port, users: 40, requestsEach: 1, (request, user) => request.Headers.Add("x-user", user));

        // Ring hash moves few keys: the leaving endpoint's users spread over the others, and the
        // rest mostly stay (the remaining endpoints gain ring points, so a few move, as in Envoy;
        // modulo hashing would move about three quarters of everyone).
        var stayers = before.Where(p => p.Value[0] != leaving).ToList();
        var stayed = stayers.Count(p => after[p.Key][0] == p.Value[0]);
        Assert.All(before.Where(p => p.Value[0] == leaving), p => Assert.NotEqual(leaving, after[p.Key][0]));
        Assert.True(stayed >= stayers.Count * 0.6, $"only {stayed} of {stayers.Count} users kept their endpoint");
    }

    [Fact]
    public async Task Least_request_avoids_the_busy_endpoint_and_random_spreads_evenly()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var busyGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var idleGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var busy = await bed.BackendAsync("busy", context => AnswerAsync(context, busyGate, "busy"));
        var idle = await bed.BackendAsync("idle", context => AnswerAsync(context, idleGate, "idle"));
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080).Outbound("ratings", 9080));
        var ratings = ClusterName("ratings", 9080);
        var least = Cluster(Reviews, busy, idle).WithLoadBalancer(new LoadBalancer { Simple = LoadBalancer.Types.Simple.LeastRequest });
        var random = Cluster(ratings, busy, idle).WithLoadBalancer(new LoadBalancer { Simple = LoadBalancer.Types.Simple.Random });
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews)), ServiceHost("ratings", 9080, To(ratings))], [least, random]));
        var port = proxy.OutboundPort("reviews");

        // With two endpoints both choices are compared: parked requests alternate, two each.
        var held = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 4; i++)
        {
            held.Add(bed.Client.GetAsync(TestHttp.Local(port, "/hold")));
            await Poll.UntilAsync("the parked request arrived", () => busy.RequestCount + idle.RequestCount == held.Count);
        }

        Assert.Equal((2, 2), (busy.RequestCount, idle.RequestCount));
        idleGate.SetResult();
        await Poll.UntilAsync("the idle endpoint finished its requests", () => held.Count(t => t.IsCompleted) == 2);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("idle", await bed.Client.GetStringAsync(TestHttp.Local(port, "/quick")));
        }

        Assert.Equal(2, busy.RequestCount); // two active requests on it against at most one: never picked
        busyGate.SetResult();
        await Task.WhenAll(held);

        var counts = new ConcurrentDictionary<string, int>();
        for (var i = 0; i < 400; i++)
        {
            counts.AddOrUpdate(await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("ratings"), "/")), 1, (_, n) => n + 1);
        }

        Assert.InRange(counts.GetValueOrDefault("busy"), 150, 250); // Binomial(400, 0.5): sd 10
    }

    private static async Task AnswerAsync(HttpContext context, TaskCompletionSource gate, string name)
    {
        if (context.Request.Path == "/hold")
        {
            await gate.Task;
        }

        await context.Response.WriteAsync(name);
    }

    private static async Task<TestBackend[]> EndpointsAsync(MeshTestBed bed, int count)
    {
        var endpoints = new TestBackend[count];
        for (var i = 0; i < count; i++)
        {
            endpoints[i] = await bed.BackendAsync($"reviews-{i}");
        }

        return endpoints;
    }

    private static Cluster Hashed(TestBackend[] endpoints, ConsistentHash hash)
        => Cluster(Reviews, endpoints).WithLoadBalancer(new LoadBalancer { ConsistentHash = hash });

    private static async Task<Dictionary<string, List<string>>> PlaceUsersAsync(HttpClient client, int port, int users, int requestsEach, Action<HttpRequestMessage, string> identify)
    {
        var placement = new Dictionary<string, List<string>>();
        for (var user = 0; user < users; user++)
        {
            var name = $"user-{user}";
            placement[name] = [];
            for (var i = 0; i < requestsEach; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(port, "/"));
                identify(request, name);
                var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                placement[name].Add(await response.Content.ReadAsStringAsync());
            }
        }

        return placement;
    }
}
