using System.Net;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>Inbound (mesh → sidecar → local app).</summary>
public sealed class InboundTests
{
    [Fact]
    public async Task Inbound_listener_forwards_to_the_local_app_preserving_method_path_host_and_body()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("reviews-app");
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address, workload: "reviews-v1").Inbound("reviews", "http", 9080, app.Port));
        await bed.ApplyAsync(Snapshot("1", [], []));
        var inbound = proxy.Port(ListenerKind.Inbound);

        using var request = new HttpRequestMessage(HttpMethod.Post, TestHttp.Local(inbound, "/reviews/1?full=true")) { Content = new StringContent("hello app") };
        request.Headers.Host = "reviews:9080";
        var response = await bed.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("reviews-app", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(app.Requests);
        Assert.Equal("POST", seen.Method);
        Assert.Equal("/reviews/1?full=true", seen.Path);
        Assert.Equal("reviews:9080", seen.Host);
        Assert.Equal("hello app".Length, seen.BodyLength);
        Assert.Equal("http", seen.Headers["x-forwarded-proto"]);
        Assert.False(seen.Headers.ContainsKey("x-forwarded-for"));
        Assert.Equal("inbound|9080||", (await proxy.Observer.ForPathAsync("/reviews/1")).Cluster);
    }

    [Fact]
    public async Task Inbound_to_an_app_that_is_not_listening_gets_503_UF()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var deadPort = await TestBackend.UnusedPortAsync();
        var proxy = await bed.ProxyAsync(ProxySettings.Sidecar(bed.ControlPlane.Address).Inbound("reviews", "http", 9080, deadPort));
        await bed.ApplyAsync(Snapshot("1", [], []));

        var response = await bed.Client.GetAsync(TestHttp.Local(proxy.Port(ListenerKind.Inbound), "/down"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(ResponseFlags.UpstreamConnectionFailure, (await proxy.Observer.ForPathAsync("/down")).Flags);
    }

    [Fact]
    public async Task Listener_configurators_shape_how_each_listener_accepts_connections()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var app = await bed.BackendAsync("app");
        var configurator = new CountingConfigurator();
        var proxy = await bed.ProxyAsync(
            ProxySettings.Sidecar(bed.ControlPlane.Address).Inbound("reviews", "http", 9080, app.Port).Outbound("ratings", 9080),
            services => services.AddSingleton<IListenerConfigurator>(configurator));
        await bed.ApplyAsync(Snapshot("1", [], []));

        await bed.Client.GetAsync(TestHttp.Local(proxy.Port(ListenerKind.Inbound), "/"));

        Assert.Equal(["inbound|9080|http", "outbound|ratings:9080", "admin"], configurator.Configured);
        Assert.True(configurator.InboundConnections >= 1);
    }

    /// <summary>Stands in for mTLS: a connection middleware on inbound listeners only.</summary>
    private sealed class CountingConfigurator : IListenerConfigurator
    {
        private int _inboundConnections;

        public List<string> Configured { get; } = [];

        public int InboundConnections => Volatile.Read(ref _inboundConnections);

        public void Configure(MeshListener listener, ListenOptions options)
        {
            Configured.Add(listener.Name);
            if (listener.Kind == ListenerKind.Inbound)
            {
                options.Use(next => connection =>
                {
                    Interlocked.Increment(ref _inboundConnections);
                    return next(connection);
                });
            }
        }
    }
}
