using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>Match conditions Istio's traffic tasks use: withoutHeaders and ignoreUriCase (sourceLabels is resolved by the control plane).</summary>
public sealed class MatchingTests
{
    private static readonly string V1 = ClusterName("reviews", 9080, "v1");
    private static readonly string V2 = ClusterName("reviews", 9080, "v2");

    [Fact]
    public async Task Without_headers_matches_only_requests_lacking_the_header()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var v1 = await bed.BackendAsync("reviews-v1");
        var v2 = await bed.BackendAsync("reviews-v2");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var anonymous = new RouteMatch { WithoutHeaders = { "end-user" } };
        var notJason = new RouteMatch();
        notJason.WithoutHeaderMatches["end-user"] = new StringMatch { Exact = "jason" };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(V1, "anonymous", anonymous), To(V2, "not-jason", notJason), To(V1))], [Cluster(V1, v1), Cluster(V2, v2)]));

        Assert.Equal("anonymous", await RouteOfAsync(bed, proxy, null));
        Assert.Equal("not-jason", await RouteOfAsync(bed, proxy, "alice"));
        Assert.Equal("default", await RouteOfAsync(bed, proxy, "jason"));
    }

    [Theory]
    [InlineData("/Reviews/1", "prefix")]
    [InlineData("/PRODUCTPAGE", "exact")]
    [InlineData("/API/V1/Products", "regex")]
    [InlineData("/other", "default")]
    public async Task Ignore_uri_case_applies_to_prefix_exact_and_regex(string path, string expectedRoute)
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("reviews-v1");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080));
        var prefix = new RouteMatch { Uri = new StringMatch { Prefix = "/reviews/" }, IgnoreUriCase = true };
        var exact = new RouteMatch { Uri = new StringMatch { Exact = "/productpage" }, IgnoreUriCase = true };
        var regex = new RouteMatch { Uri = new StringMatch { Regex = "/api/v[0-9]/products" }, IgnoreUriCase = true };
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(V1, "prefix", prefix), To(V1, "exact", exact), To(V1, "regex", regex), To(V1))], [Cluster(V1, backend)]));

        await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), path));

        Assert.Equal(expectedRoute, (await proxy.Observer.ForPathAsync(path)).Route);
    }

    private static async Task<string?> RouteOfAsync(MeshTestBed bed, ProxyHost proxy, string? user)
    {
        var path = $"/reviews/{user ?? "anonymous"}";
        using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(proxy.OutboundPort("reviews"), path));
        if (user is not null)
        {
            request.Headers.Add("end-user", user);
        }

        await bed.Client.SendAsync(request);
        return (await proxy.Observer.ForPathAsync(path)).Route;
    }
}
