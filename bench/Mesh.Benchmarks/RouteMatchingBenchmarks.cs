using BenchmarkDotNet.Attributes;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Benchmarks;

/// <summary>
/// Per-request routing on productpage's outbound listener for reviews: first-route hit (header
/// exact), a miss through every conditional route (header regex, method + prefix, query param,
/// uri regex) to the weighted default, and the Host lookup of the catch-all/gateway path.
/// </summary>
[MemoryDiagnoser]
public class RouteMatchingBenchmarks
{
    private VirtualHostModel _reviews = null!;
    private DomainTable _domains = null!;
    private HttpRequest _jason = null!;
    private HttpRequest _anonymous = null!;

    [GlobalSetup]
    public void Setup()
    {
        var fixture = new ProxyFixture(fillerServices: 50, replicas: 2);
        _reviews = fixture.Reviews;
        var builder = new DomainTable.Builder();
        foreach (var vh in fixture.Model.VirtualHosts)
        {
            foreach (var domain in vh.Domains)
            {
                builder.AddIfFree(domain, vh);
            }
        }

        _domains = builder.Build();
        _jason = Request("/reviews/0", ("end-user", "jason"));
        _anonymous = Request("/reviews/0", ("cookie", "session=abc; theme=dark"));
        if (_reviews.FindRoute(_jason)?.Name != "jason" || _reviews.FindRoute(_anonymous)?.Name != "default")
        {
            throw new InvalidOperationException("the route table does not route as the benchmark expects");
        }
    }

    [Benchmark(Description = "first route matches (header exact)")]
    public HttpRouteModel? FirstRoute() => _reviews.FindRoute(_jason);

    [Benchmark(Description = "5 conditional routes miss, default matches")]
    public HttpRouteModel? DefaultRoute() => _reviews.FindRoute(_anonymous);

    [Benchmark(Description = "virtual host by Host (FQDN, 55 services)")]
    public VirtualHostModel? HostLookup() => _domains.Find("reviews.default.svc.cluster.local");

    internal static HttpRequest Request(string path, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "GET";
        request.Scheme = "http";
        request.Host = new HostString("reviews:9080");
        request.Path = path;
        request.Headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36";
        request.Headers.Accept = "application/json";
        request.Headers["x-request-id"] = "3f1c1a9e-8c1b-4d5e-9a55-2f0e4b8d7c11";
        request.Headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        foreach (var (name, value) in headers)
        {
            request.Headers[name] = value;
        }

        return request;
    }
}
