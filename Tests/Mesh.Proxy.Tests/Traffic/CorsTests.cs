using System.Net;
using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>Istio corsPolicy with the behaviour of Envoy's CORS filter, through a real gateway.</summary>
public sealed class CorsTests
{
    private static readonly string ProductPage = ClusterName("productpage", 9080);

    [Fact]
    public async Task Preflight_from_an_allowed_origin_is_answered_by_the_proxy()
    {
        var (bed, backend, port) = await StartAsync(Policy());
        await using var _ = bed;

        var response = await bed.Client.SendAsync(Preflight(port, "https://shop.example.com"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://shop.example.com", Header(response, "access-control-allow-origin"));
        Assert.Equal("GET,POST", Header(response, "access-control-allow-methods"));
        Assert.Equal("content-type,x-user", Header(response, "access-control-allow-headers"));
        Assert.Equal("86400", Header(response, "access-control-max-age"));
        Assert.Equal("true", Header(response, "access-control-allow-credentials"));
        Assert.Equal(0, backend.RequestCount);
    }

    [Fact]
    public async Task Actual_requests_get_cors_headers_only_for_allowed_origins()
    {
        var (bed, backend, port) = await StartAsync(Policy());
        await using var _ = bed;

        var allowed = await bed.Client.SendAsync(Get(port, "https://app.example.org"));
        var denied = await bed.Client.SendAsync(Get(port, "https://evil.example.net"));
        var noOrigin = await bed.Client.SendAsync(Get(port, null));

        Assert.Equal("https://app.example.org", Header(allowed, "access-control-allow-origin"));
        Assert.Equal("x-request-id", Header(allowed, "access-control-expose-headers"));
        Assert.Equal("true", Header(allowed, "access-control-allow-credentials"));
        Assert.All(new[] { denied, noOrigin }, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.False(r.Headers.Contains("access-control-allow-origin"));
        });
        Assert.Equal(3, backend.RequestCount); // CORS never blocks actual requests: browsers enforce it
    }

    [Theory]
    [InlineData("FORWARD", 1)]
    [InlineData("IGNORE", 0)]
    public async Task Preflight_from_another_origin_is_forwarded_or_answered_without_cors_headers(string unmatched, int forwarded)
    {
        var policy = Policy();
        policy.UnmatchedPreflights = unmatched;
        var (bed, backend, port) = await StartAsync(policy);
        await using var _ = bed;

        var response = await bed.Client.SendAsync(Preflight(port, "https://evil.example.net"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("access-control-allow-origin"));
        Assert.Equal(forwarded, backend.RequestCount);
    }

    [Fact]
    public async Task Wildcard_origin_echoes_the_caller_and_star_methods_echo_the_requested_method()
    {
        var policy = new CorsPolicy { AllowOrigins = { new StringMatch { Exact = "*" } }, AllowMethods = { "*" } };
        var (bed, _, port) = await StartAsync(policy);
        await using var __ = bed;

        var response = await bed.Client.SendAsync(Preflight(port, "http://localhost:3000"));

        Assert.Equal("http://localhost:3000", Header(response, "access-control-allow-origin"));
        Assert.Equal("PUT", Header(response, "access-control-allow-methods"));
    }

    private static CorsPolicy Policy() => new()
    {
        AllowOrigins = { new StringMatch { Exact = "https://shop.example.com" }, new StringMatch { Regex = "https://.*\\.example\\.org" } },
        AllowMethods = { "GET", "POST" },
        AllowHeaders = { "content-type", "x-user" },
        ExposeHeaders = { "x-request-id" },
        MaxAge = Duration.FromTimeSpan(TimeSpan.FromDays(1)),
        AllowCredentials = true,
        HasAllowCredentials = true,
    };

    private static async Task<(MeshTestBed Bed, TestBackend Backend, int Port)> StartAsync(CorsPolicy policy)
    {
        var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("productpage");
        var gateway = await bed.ProxyAsync(ProxySettings.Gateway(bed.ControlPlane.Address).GatewayListener(80));
        var vh = new VirtualHost { Name = "bookinfo:80", Port = 80, Domains = { "*" }, Routes = { To(ProductPage).WithCors(policy) } };
        await bed.ApplyAsync(Snapshot("1", [vh], [Cluster(ProductPage, backend)]));
        return (bed, backend, gateway.Port(Core.Listeners.ListenerKind.Gateway));
    }

    private static HttpRequestMessage Preflight(int port, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, TestHttp.Local(port, "/api/cart"));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "PUT");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return request;
    }

    private static HttpRequestMessage Get(int port, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(port, "/api/cart"));
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
