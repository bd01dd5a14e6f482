using BenchmarkDotNet.Attributes;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Benchmarks;

/// <summary>
/// Header work per request: the proxy's real request/response transforms (built by the
/// registered transform providers of AddMeshProxy — Host preserved, x-forwarded-proto set, the
/// retry classifier on the response) copying a browser-like header set, and route header matchers.
/// </summary>
[MemoryDiagnoser]
public class HeaderHandlingBenchmarks
{
    private HttpTransformer _transformer = null!;
    private DefaultHttpContext _context = null!;
    private HttpResponseMessage _upstreamResponse = null!;
    private HeaderMatcher _exact = null!;
    private HeaderMatcher _regex = null!;
    private HeaderMatcher _pseudo = null!;
    private HttpRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Mesh:Node:Workload"] = "bench";
        builder.AddMeshProxy(MeshProxyMode.Sidecar)
            .AddFeature<SecurityFeature>()
            .AddFeature<TrafficFeature>()
            .AddFeature<TelemetryFeature>();
        var app = builder.Build();
        _transformer = app.Services.GetRequiredService<ITransformBuilder>().Build(
            new RouteConfig { RouteId = "mesh", ClusterId = "mesh", Match = new RouteMatch { Path = "/{**catch-all}" } },
            new ClusterConfig { ClusterId = "mesh" });

        _request = RouteMatchingBenchmarks.Request("/reviews/0",
            ("end-user", "jason"),
            ("cookie", "session=7d2f9a; user=tester; theme=dark"),
            ("accept-language", "en-US,en;q=0.9"),
            ("accept-encoding", "gzip, deflate, br"),
            ("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7"),
            ("x-b3-spanid", "e457b5a2e4d86bd1"),
            ("x-b3-sampled", "1"),
            ("baggage", "userId=alice"));
        _context = (DefaultHttpContext)_request.HttpContext;
        _upstreamResponse = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[1024]) };
        _upstreamResponse.Headers.Date = DateTimeOffset.UnixEpoch;
        _upstreamResponse.Headers.TryAddWithoutValidation("server", "nginx");
        _upstreamResponse.Headers.TryAddWithoutValidation("x-envoy-upstream-service-time", "1");
        _upstreamResponse.Content.Headers.TryAddWithoutValidation("content-type", "application/json");

        _exact = new HeaderMatcher("end-user", StringMatcher.Exact("jason", ignoreCase: false), invert: false);
        _regex = new HeaderMatcher("cookie", StringMatcher.Regex("^(.*?;)?(user=tester)(;.*)?$", ignoreCase: false), invert: false);
        _pseudo = new HeaderMatcher(":authority", StringMatcher.Prefix("reviews", ignoreCase: false), invert: false);
    }

    [Benchmark(Description = "request headers → upstream request (mesh transforms)")]
    public async ValueTask<HttpRequestMessage> TransformRequest()
    {
        var proxyRequest = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        await _transformer.TransformRequestAsync(_context, proxyRequest, "http://127.0.0.1:20001", CancellationToken.None);
        return proxyRequest;
    }

    [Benchmark(Description = "upstream response headers → response (mesh transforms)")]
    public async ValueTask<bool> TransformResponse()
    {
        _context.Response.Headers.Clear();
        return await _transformer.TransformResponseAsync(_context, _upstreamResponse, CancellationToken.None);
    }

    [Benchmark(Description = "header match: exact")]
    public bool MatchExact() => _exact.Matches(_request);

    [Benchmark(Description = "header match: regex on cookie")]
    public bool MatchRegex() => _regex.Matches(_request);

    [Benchmark(Description = "header match: :authority prefix")]
    public bool MatchAuthority() => _pseudo.Matches(_request);
}
