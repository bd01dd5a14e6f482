using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>
/// The proxy with either upstream HTTP/1.1 client (<c>Mesh:Http1Client</c>): the same replies and
/// response flags for upstream failures, so the choice of client changes cost, not behaviour.
/// </summary>
public sealed class MeshHttp1ClientProxyTests
{
    private static readonly string Reviews = ClusterName("reviews", 9080);

    [Theory]
    [InlineData("HttpClient")]
    [InlineData("Mesh")]
    public async Task An_upstream_that_closes_mid_response_is_a_503_with_UC(string client)
    {
        await using var upstream = new ScriptedUpstream(async (_, connection) =>
        {
            await connection.ReadHeadAsync();
            await connection.WriteAsync("HTTP/1.1 200 OK\r\nContent-Ty");
        });
        await using var bed = await MeshTestBed.StartAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080).With("Mesh:Http1Client", client));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [Cluster(Reviews, Protocol.Http, upstream.Port)]));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.OutboundPort("reviews"), "/cut"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ResponseFlags.UpstreamConnectionTermination, (await proxy.Observer.ForPathAsync("/cut")).Flags);
    }

    [Theory]
    [InlineData("HttpClient")]
    [InlineData("Mesh")]
    public async Task Keep_alive_upstream_connections_carry_sequential_requests(string client)
    {
        await using var upstream = new ScriptedUpstream(async (_, connection) =>
        {
            while (await connection.ReadHeadAsync() is not null)
            {
                await connection.WriteAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
            }
        });
        await using var bed = await MeshTestBed.StartAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080).With("Mesh:Http1Client", client));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews))], [Cluster(Reviews, Protocol.Http, upstream.Port)]));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("ok", await bed.Client.GetStringAsync(TestHttp.Local(proxy.OutboundPort("reviews"), $"/r{i}")));
        }

        Assert.Equal(1, upstream.Accepted);
        Assert.Equal(5, upstream.Requests.Count);
    }
}
