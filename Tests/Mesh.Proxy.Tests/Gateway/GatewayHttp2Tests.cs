using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Gateway.GatewaySnapshots;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>
/// Plaintext HTTP2 and GRPC Gateway servers: a gateway listener configured with protocol HTTP2
/// speaks h2c (prior knowledge, as gRPC clients do without TLS) and routes by the servers' hosts
/// like an HTTP listener.
/// </summary>
public sealed class GatewayHttp2Tests
{
    [Theory]
    [InlineData(Protocol.Http2)]
    [InlineData(Protocol.Grpc)]
    public async Task Plaintext_servers_are_served_over_h2c_on_an_http2_listener(Protocol protocol)
    {
        await using var gateway = await GatewayFixture.StartAsync(settings => settings.With("Mesh:Gateway:Listeners:0:Protocol", "HTTP2"));
        var server = HttpServer("gw.default/h2", 80, ["api.example.com"]);
        server.Protocol = protocol;
        await gateway.ApplyAsync("1", [HostOf(server, ["api.example.com"], To(GatewayFixture.ClusterA))], server);

        using var h2c = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        foreach (var (host, expected) in new[] { ("api.example.com", HttpStatusCode.OK), ("other.example.com", HttpStatusCode.NotFound) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, TestHttp.Local(gateway.HttpPort, "/api.v1.Service/Call"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Host = host;
            using var response = await h2c.SendAsync(request);

            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal(expected, response.StatusCode);
        }

        Assert.Equal(1, gateway.A.RequestCount);
    }
}
