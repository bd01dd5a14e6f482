using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Discovery;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Tests.Unit;

public sealed class OptionsAndMiscTests
{
    public static TheoryData<string, Action<MeshProxyOptions>, string?> OptionCases => new()
    {
        { "valid sidecar", _ => { }, null },
        { "missing workload", o => o.Node.Workload = null, "Mesh:Node:Workload is required" },
        { "bad control plane", o => o.ControlPlane.Address = "127.0.0.1:15012", "Mesh:ControlPlane:Address must be an absolute" },
        { "inbound without service", o => o.Service = null, "Mesh:Service is required" },
        { "inbound without service on a VM (its WorkloadEntry is the endpoint)", o => { o.Service = null; o.Node.WorkloadGroup = "reviews-vm"; }, null },
        { "inbound target port", o => o.Inbound[0].TargetPort = 0, "Mesh:Inbound:0:TargetPort must be 1-65535" },
        { "inbound duplicate port", o => o.Inbound.Add(new InboundPortOptions { Name = "other", Port = 9080, TargetPort = 1 }), "Mesh:Inbound:1:Port 9080 is used by another inbound port" },
        { "outbound without host", o => o.Outbound[0].Host = " ", "Mesh:Outbound:0:Host is required" },
        { "listen port clash", o => { o.Outbound[0].ListenPort = 15001; o.AdminPort = 15001; }, "Mesh:Outbound:0:ListenPort 15001 is already used by Mesh:AdminPort" },
        { "gateway listeners on a sidecar", o => o.Gateway.Listeners.Add(new GatewayListenerOptions { Port = 8080 }), "only valid with Mesh:Mode=Gateway" },
        { "gateway without listeners", o => { o.Mode = MeshProxyMode.Gateway; o.Inbound.Clear(); o.Outbound.Clear(); }, "needs at least one listener" },
        { "gateway https is accepted (not served yet)", o => { o.Mode = MeshProxyMode.Gateway; o.Inbound.Clear(); o.Outbound.Clear(); o.Gateway.Listeners.Add(new GatewayListenerOptions { Port = 8443, Protocol = ListenerProtocol.HTTPS }); }, null },
        { "inbound https", o => o.Inbound[0].Protocol = ListenerProtocol.HTTPS, "Protocol HTTPS is not an inbound protocol" },
        { "bad bind address", o => o.BindAddress = "localhost", "Mesh:BindAddress must be an IP address" },
    };

    [Theory]
    [MemberData(nameof(OptionCases))]
    public void Options_validation_names_the_key(string description, Action<MeshProxyOptions> change, string? expected)
    {
        var options = new MeshProxyOptions { Node = { Workload = "reviews-v1" }, Service = "reviews" };
        options.Inbound.Add(new InboundPortOptions { Name = "http", Port = 9080, TargetPort = 9081 });
        options.Outbound.Add(new OutboundBindingOptions { Host = "ratings", Port = 9080 });
        change(options);

        var result = new MeshProxyOptionsValidator().Validate(null, options);

        if (expected is null)
        {
            Assert.True(result.Succeeded, description + ": " + result.FailureMessage);
        }
        else
        {
            Assert.True(result.Failed, description);
            Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1, 50, 100)]
    [InlineData(2, 100, 200)]
    [InlineData(4, 400, 800)]
    [InlineData(6, 1500, 3000)]
    [InlineData(50, 1500, 3000)]
    public void Reconnect_backoff_is_exponential_with_jitter_and_capped(int failures, int minMs, int maxMs)
    {
        var random = new Random(42);
        for (var i = 0; i < 100; i++)
        {
            Assert.InRange(ReconnectBackoff.Next(failures, random).TotalMilliseconds, minMs, maxMs);
        }
    }

    [Theory]
    [InlineData(ResponseFlags.None, "-")]
    [InlineData(ResponseFlags.NoRouteFound, "NR")]
    [InlineData(ResponseFlags.UpstreamRequestTimeout | ResponseFlags.UpstreamRetryLimitExceeded, "UT,URX")]
    [InlineData(ResponseFlags.UpstreamConnectionFailure | ResponseFlags.DelayInjected, "UF,DI")]
    public void Response_flags_print_like_envoy(ResponseFlags flags, string expected)
    {
        Assert.Equal(expected, ResponseFlagsText.Format(flags));
        Assert.Same(ResponseFlagsText.Format(flags), ResponseFlagsText.Format(flags));
    }
}
