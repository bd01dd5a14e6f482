using System.Net;
using Mesh.Proxy.Security.Authorization;

namespace Mesh.Security.Tests.Unit;

/// <summary>Istio's string and address matching in authorization fields.</summary>
public sealed class MatcherTests
{
    [Theory]
    [InlineData("GET", "GET", true)]
    [InlineData("GET", "get", false)]
    [InlineData("/api/*", "/api/v1", true)]
    [InlineData("/api/*", "/api", false)]
    [InlineData("*.json", "/data/x.json", true)]
    [InlineData("*.json", "/data/x.jsonp", false)]
    [InlineData("*", "anything", true)]
    [InlineData("*", "", false)]
    [InlineData("a*b", "a*b", true)]
    public void String_patterns(string pattern, string value, bool matches)
    {
        Assert.Equal(matches, StringPattern.Parse(pattern).Matches(value));
    }

    [Fact]
    public void A_missing_value_matches_no_pattern_not_even_presence()
    {
        var list = PatternList.From(["*"])!;

        Assert.False(list.Matches(null));
        Assert.False(list.MatchesAny(null));
        Assert.True(list.MatchesAny(["", "x"]));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("127.0.0.0/8", "::ffff:127.0.0.1", true)]
    [InlineData("10.1.0.0/23", "10.1.1.255", true)]
    [InlineData("10.1.0.0/23", "10.1.2.0", false)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "10.0.0.1", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    public void Ip_blocks(string block, string address, bool contains)
    {
        Assert.True(IpBlock.TryParse(block, out var parsed, out _));
        Assert.Equal(contains, parsed.Contains(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("300.1.1.1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/x")]
    [InlineData("example.com")]
    public void Bad_ip_blocks_are_errors(string block)
    {
        Assert.False(IpBlock.TryParse(block, out _, out var error));
        Assert.Contains(block, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("request.headers[x-user]", nameof(ConditionKey.RequestHeader))]
    [InlineData("request.auth.claims[groups]", nameof(ConditionKey.RequestClaim))]
    [InlineData("request.auth.claims[nested][key]", nameof(ConditionKey.RequestClaim))]
    [InlineData("source.ip", nameof(ConditionKey.SourceIp))]
    [InlineData("connection.sni", nameof(ConditionKey.ConnectionSni))]
    [InlineData("destination.port", nameof(ConditionKey.DestinationPort))]
    public void Condition_keys(string key, string expected)
    {
        string[] values = key.EndsWith("ip", StringComparison.Ordinal) ? ["10.0.0.0/8"] : key.EndsWith("port", StringComparison.Ordinal) ? ["9080"] : ["x"];
        var matcher = ConditionMatcher.Create(key, values, [], out var error);

        Assert.Null(error);
        Assert.Equal(expected, matcher!.Key.ToString());
        if (key == "request.auth.claims[nested][key]")
        {
            Assert.Equal(["nested", "key"], matcher.ClaimPath);
        }
    }

    [Theory]
    [InlineData("request.headers[]", "unknown attribute")]
    [InlineData("experimental.envoy.filters.x", "unknown attribute")]
    [InlineData("request.auth.claims[a][]", "unknown attribute")]
    public void Unknown_condition_keys_are_errors(string key, string expected)
    {
        Assert.Null(ConditionMatcher.Create(key, ["x"], [], out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("-1")]
    [InlineData("65536")]
    public void Destination_ports_must_be_port_numbers(string port)
    {
        Assert.Null(ConditionMatcher.Create("destination.port", ["9080"], [port], out var error));
        Assert.Contains($"'{port}' is not a port number", error, StringComparison.Ordinal);
    }
}
