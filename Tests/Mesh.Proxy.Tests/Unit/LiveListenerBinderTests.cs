using System.Net;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Listeners;

namespace Mesh.Proxy.Tests.Unit;

/// <summary>
/// How the live-listener binder recognises a listener Kestrel bound. Getting this wrong is not
/// harmless: an unrecognised listener is declared failed after the bind check, closed, rebound at
/// the next retry and closed again — a live gateway port that serves 5 s out of every 15.
/// </summary>
public sealed class LiveListenerBinderTests
{
    private static readonly MeshListener Live = new(0, ListenerKind.Gateway, "gateway|31400|live", IPAddress.Loopback, 31400, ListenerProtocol.TCP) { IsLive = true };

    [Theory]
    [InlineData("http://127.0.0.1:31400")]
    // A gateway with TLS servers detects TLS on every listener, so Kestrel lists them as https.
    [InlineData("https://127.0.0.1:31400")]
    public void A_listener_is_bound_when_kestrel_lists_its_address_and_port_whatever_the_scheme(string address) =>
        Assert.True(LiveListenerBinder.IsListed(["http://127.0.0.1:8080", address], Live));

    [Theory]
    [InlineData("http://127.0.0.1:31401")]
    [InlineData("http://127.0.0.2:31400")]
    [InlineData("http://[::1]:31400")]
    [InlineData("not a url")]
    public void Another_port_or_address_is_not_the_listener(string address) =>
        Assert.False(LiveListenerBinder.IsListed([address], Live));

    [Fact]
    public void An_ipv6_listener_is_matched_by_its_bracketed_address()
    {
        var listener = new MeshListener(0, ListenerKind.Gateway, "gateway|31400|live", IPAddress.IPv6Loopback, 31400, ListenerProtocol.TCP) { IsLive = true };
        Assert.True(LiveListenerBinder.IsListed(["https://[::1]:31400"], listener));
    }
}
