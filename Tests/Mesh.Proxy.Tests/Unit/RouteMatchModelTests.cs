using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Tests.Unit;

public sealed class RouteMatchModelTests
{
    private static HttpRequest Request(string method = "GET", string path = "/", string? query = null, string host = "reviews:9080", params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        foreach (var group in headers.GroupBy(h => h.Name))
        {
            context.Request.Headers[group.Key] = group.Select(h => h.Value).ToArray();
        }

        return context.Request;
    }

    public static TheoryData<string, RouteMatchModel, HttpRequest, bool> Cases => new()
    {
        { "empty match matches all", new RouteMatchModel(), Request(), true },
        { "uri prefix", new RouteMatchModel { Uri = StringMatcher.Prefix("/api", false) }, Request(path: "/api/x"), true },
        { "uri ignores query", new RouteMatchModel { Uri = StringMatcher.Exact("/api", false) }, Request(path: "/api", query: "?a=1"), true },
        { "uri mismatch", new RouteMatchModel { Uri = StringMatcher.Prefix("/api", false) }, Request(path: "/web"), false },
        { "method", new RouteMatchModel { Method = StringMatcher.Exact("POST", false) }, Request(method: "GET"), false },
        { "authority", new RouteMatchModel { Authority = StringMatcher.Exact("reviews:9080", false) }, Request(host: "reviews:9080"), true },
        { "scheme", new RouteMatchModel { Scheme = StringMatcher.Exact("https", false) }, Request(), false },
        { "header exact", new RouteMatchModel { Headers = [new HeaderMatcher("end-user", StringMatcher.Exact("jason", false), false)] }, Request(headers: ("end-user", "jason")), true },
        { "header absent", new RouteMatchModel { Headers = [new HeaderMatcher("end-user", StringMatcher.Exact("jason", false), false)] }, Request(), false },
        { "header regex never matches absent", new RouteMatchModel { Headers = [new HeaderMatcher("x", StringMatcher.Regex(".*", false), false)] }, Request(), false },
        { "header present", new RouteMatchModel { Headers = [new HeaderMatcher("x-debug", StringMatcher.Any, false)] }, Request(headers: ("x-debug", "")), true },
        { "repeated header joined", new RouteMatchModel { Headers = [new HeaderMatcher("x", StringMatcher.Exact("a,b", false), false)] }, Request(headers: [("x", "a"), ("x", "b")]), true },
        { "without header: absent passes", new RouteMatchModel { Headers = [new HeaderMatcher("x-canary", StringMatcher.Any, true)] }, Request(), true },
        { "without header: present fails", new RouteMatchModel { Headers = [new HeaderMatcher("x-canary", StringMatcher.Any, true)] }, Request(headers: ("x-canary", "1")), false },
        { "without header match: other value passes", new RouteMatchModel { Headers = [new HeaderMatcher("x-user", StringMatcher.Exact("bot", false), true)] }, Request(headers: ("x-user", "alice")), true },
        { "without header match: value fails", new RouteMatchModel { Headers = [new HeaderMatcher("x-user", StringMatcher.Exact("bot", false), true)] }, Request(headers: ("x-user", "bot")), false },
        { "pseudo header :method", new RouteMatchModel { Headers = [new HeaderMatcher(":method", StringMatcher.Exact("GET", false), false)] }, Request(), true },
        { "query exact", new RouteMatchModel { QueryParams = [new QueryParamMatcher("v", StringMatcher.Exact("2", false))] }, Request(query: "?v=2&w=1"), true },
        { "query first value wins", new RouteMatchModel { QueryParams = [new QueryParamMatcher("v", StringMatcher.Exact("2", false))] }, Request(query: "?v=1&v=2"), false },
        { "query present", new RouteMatchModel { QueryParams = [new QueryParamMatcher("debug", StringMatcher.Any)] }, Request(query: "?debug"), true },
        { "query absent", new RouteMatchModel { QueryParams = [new QueryParamMatcher("debug", StringMatcher.Any)] }, Request(), false },
        { "port", new RouteMatchModel { Port = 9090 }, Request(), false },
        { "all conditions AND", new RouteMatchModel { Uri = StringMatcher.Prefix("/api", false), Method = StringMatcher.Exact("GET", false), Headers = [new HeaderMatcher("end-user", StringMatcher.Exact("jason", false), false)] }, Request(path: "/api", headers: ("end-user", "alice")), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Route_match(string description, RouteMatchModel match, HttpRequest request, bool expected)
    {
        Assert.True(expected == match.Matches(request, servicePort: 9080), description);
    }

    [Fact]
    public void Route_matches_are_ORed_and_the_first_matching_route_wins()
    {
        var action = new RouteActionModel(new WeightedClusterTable([(new UpstreamCluster("c", Contracts.Snapshots.Protocol.Http), 1)]));
        var jason = new HttpRouteModel("jason", [new RouteMatchModel { Headers = [new HeaderMatcher("end-user", StringMatcher.Exact("jason", false), false)] }, new RouteMatchModel { Uri = StringMatcher.Prefix("/v2", false) }], action);
        var fallback = new HttpRouteModel("fallback", [], action);
        var vh = new VirtualHostModel("reviews", 9080, ["reviews"], [jason, fallback]);

        Assert.Equal("jason", vh.FindRoute(Request(headers: ("end-user", "jason")))!.Name);
        Assert.Equal("jason", vh.FindRoute(Request(path: "/v2/x"))!.Name);
        Assert.Equal("fallback", vh.FindRoute(Request())!.Name);
        Assert.Null(new VirtualHostModel("none", 9080, [], [jason]).FindRoute(Request()));
    }
}
