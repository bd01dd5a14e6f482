using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Tests.Unit;

public sealed class DomainTableTests
{
    private static readonly VirtualHostModel Exact = Vh("exact");
    private static readonly VirtualHostModel Suffix = Vh("suffix");
    private static readonly VirtualHostModel LongSuffix = Vh("long-suffix");
    private static readonly VirtualHostModel Prefix = Vh("prefix");
    private static readonly VirtualHostModel Any = Vh("any");

    [Theory]
    [InlineData("bookinfo.example.com", "exact")]
    [InlineData("BookInfo.Example.COM", "exact")]
    [InlineData("api.example.com", "suffix")]
    [InlineData("v1.api.internal.example.com", "long-suffix")]
    [InlineData("example.com", "any")] // "*.example.com" needs at least one character before the suffix
    [InlineData("shop.local", "prefix")]
    [InlineData("unknown.org", "any")]
    public void Lookup_follows_envoy_precedence(string host, string expected)
    {
        var builder = new DomainTable.Builder();
        Assert.Null(builder.TryAdd("bookinfo.example.com", Exact));
        Assert.Null(builder.TryAdd("*.example.com", Suffix));
        Assert.Null(builder.TryAdd("*.internal.example.com", LongSuffix));
        Assert.Null(builder.TryAdd("shop.*", Prefix));
        Assert.Null(builder.TryAdd("*", Any));
        var table = builder.Build();

        Assert.Equal(expected, table.Find(host)?.Name);
    }

    [Fact]
    public void Without_a_catch_all_an_unknown_host_finds_nothing()
    {
        var builder = new DomainTable.Builder();
        builder.TryAdd("reviews", Exact);
        Assert.Null(builder.Build().Find("ratings"));
        Assert.Null(DomainTable.Empty.Find("x"));
    }

    [Fact]
    public void A_domain_claimed_twice_reports_the_owner_but_the_same_host_twice_is_fine()
    {
        var builder = new DomainTable.Builder();
        Assert.Null(builder.TryAdd("reviews", Exact));
        Assert.Null(builder.TryAdd("reviews", Exact));
        Assert.Same(Exact, builder.TryAdd("REVIEWS", Suffix));
        Assert.Same(Exact, builder.TryAdd("*", Exact) is null ? builder.TryAdd("*", Suffix) : null);
    }

    [Theory]
    [InlineData("reviews", "reviews", null, true)]
    [InlineData("reviews:9080", "reviews", 9080, true)]
    [InlineData("Reviews.Default:9080", "reviews.default", 9080, true)]
    [InlineData("bookinfo.com:*", "bookinfo.com", null, true)]
    [InlineData("*.example.com", "*.example.com", null, true)]
    [InlineData("example.*", "example.*", null, true)]
    [InlineData("*", "*", null, true)]
    [InlineData("[::1]:9080", "[::1]", 9080, true)]
    [InlineData("[::1]", "[::1]", null, true)]
    [InlineData("", null, null, false)]
    [InlineData("a.*.com", null, null, false)]
    [InlineData("**", null, null, false)]
    [InlineData("reviews:http", null, null, false)]
    [InlineData("reviews:0", null, null, false)]
    [InlineData("reviews:70000", null, null, false)]
    public void Domains_parse_into_host_and_port(string text, string? host, int? port, bool valid)
    {
        Assert.Equal(valid, DomainName.TryParse(text, out var domain, out var error));
        if (valid)
        {
            Assert.Equal(host, domain.Host);
            Assert.Equal(port, domain.Port);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(error));
        }
    }

    [Theory]
    [InlineData("reviews", "reviews", -1)]
    [InlineData("reviews:9080", "reviews", 9080)]
    [InlineData("[::1]:8080", "[::1]", 8080)]
    [InlineData("[::1]", "[::1]", -1)]
    [InlineData("host:notaport", "host", -1)]
    [InlineData("", "", -1)]
    public void Host_header_splits_without_allocating(string authority, string host, int port)
    {
        Assert.Equal(host, HostHeader.Split(authority, out var parsedPort).ToString());
        Assert.Equal(port, parsedPort);
    }

    private static VirtualHostModel Vh(string name) => new(name, 80, [], []);
}
