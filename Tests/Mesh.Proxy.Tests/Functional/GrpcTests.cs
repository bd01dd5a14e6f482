using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Testing.Grpc;
using Mesh.Proxy.Tests.Infrastructure;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>gRPC through two sidecars: app → outbound (h2c) → inbound (h2c) → gRPC server.</summary>
public sealed class GrpcTests
{
    private static readonly string EchoCluster = ClusterName("echo", 9090);

    [Fact]
    public async Task Unary_server_streaming_trailers_and_errors_pass_through_two_proxies()
    {
        await using var mesh = await TwoSidecarsAsync();

        var reply = await mesh.Client.SayAsync(new EchoRequest { Text = "hi" });
        Assert.Equal("hi", reply.Text);
        Assert.Equal("echo-server", reply.ServedBy);

        using var call = mesh.Client.Count(new CountRequest { Count = 25 });
        var texts = new List<string>();
        await foreach (var item in call.ResponseStream.ReadAllAsync())
        {
            texts.Add(item.Text);
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), texts);
        Assert.Equal("25", call.GetTrailers().GetValue("x-count"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await mesh.Client.SayAsync(new EchoRequest { Text = "x", FailWithStatus = (int)StatusCode.PermissionDenied }));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal("requested failure", error.Status.Detail);
    }

    [Fact]
    public async Task Unavailable_is_retried_when_retry_on_names_it()
    {
        await using var mesh = await TwoSidecarsAsync(route: To(EchoCluster).WithRetries(2, "unavailable"));
        mesh.Server.FailFirstCalls = 2;

        var reply = await mesh.Client.SayAsync(new EchoRequest { Text = "again" });

        Assert.Equal("again", reply.Text);
        Assert.Equal(3, mesh.Server.Calls);
        var completed = await mesh.ClientProxy.Observer.ForPathAsync("/mesh.tests.v1.Echo/Say");
        Assert.Equal(3, completed.Attempts);
    }

    [Fact]
    public async Task No_route_for_a_grpc_call_is_a_grpc_error_not_an_http_one()
    {
        await using var mesh = await TwoSidecarsAsync(route: To(EchoCluster, "only-count", UriPrefix("/mesh.tests.v1.Echo/Count")));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await mesh.Client.SayAsync(new EchoRequest { Text = "x" }));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal(ResponseFlags.NoRouteFound, (await mesh.ClientProxy.Observer.ForPathAsync("/mesh.tests.v1.Echo/Say")).Flags);
    }

    private static async Task<TwoSidecars> TwoSidecarsAsync(Route? route = null)
    {
        var bed = await MeshTestBed.StartAsync();
        var server = await GrpcEchoBackend.StartAsync("echo-server");
        var serverProxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "echo-sidecar", workload: "echo-v1")
            .Inbound("echo", "grpc", 9090, server.Port, protocol: "GRPC"));
        var clientProxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, nodeId: "client-sidecar", workload: "client-v1")
            .Outbound("echo", 9090, protocol: "GRPC"));
        var cluster = Cluster(EchoCluster, Protocol.Grpc, serverProxy.Port(ListenerKind.Inbound));
        await bed.ApplyAsync(Snapshot("1", [ServiceHost("echo", 9090, route ?? To(EchoCluster))], [cluster]), "echo-sidecar", "client-sidecar");
        var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{clientProxy.OutboundPort("echo")}");
        return new TwoSidecars(bed, server, clientProxy, channel);
    }

    private sealed class TwoSidecars(MeshTestBed bed, GrpcEchoBackend server, ProxyHost clientProxy, GrpcChannel channel) : IAsyncDisposable
    {
        public Echo.EchoClient Client { get; } = new(channel);

        public GrpcEchoBackend Server => server;

        public ProxyHost ClientProxy => clientProxy;

        public async ValueTask DisposeAsync()
        {
            channel.Dispose();
            await bed.DisposeAsync();
            await server.DisposeAsync();
        }
    }
}
