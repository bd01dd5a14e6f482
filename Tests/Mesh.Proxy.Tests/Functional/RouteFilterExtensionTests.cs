using System.Net;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>The per-route extension point later features (faults, redirects, CORS...) plug into.</summary>
public sealed class RouteFilterExtensionTests
{
    private static readonly string Reviews = ClusterName("reviews", 9080);

    [Fact]
    public async Task A_registered_route_filter_runs_only_on_its_routes_and_can_answer_itself()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("reviews");
        var proxy = await bed.ProxyAsync(
            ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080),
            services => services.AddSingleton<IRouteFilterFactory, TeapotFilterFactory>());
        await bed.ApplyAsync(Snapshot(
            "1",
            [ServiceHost("reviews", 9080, To(Reviews, "teapot", UriPrefix("/tea")), To(Reviews))],
            [Cluster(Reviews, backend)]));
        var port = proxy.OutboundPort("reviews");

        var tea = await bed.Client.GetAsync(TestHttp.Local(port, "/tea"));
        var coffee = await bed.Client.GetAsync(TestHttp.Local(port, "/coffee"));

        Assert.Equal((HttpStatusCode)418, tea.StatusCode);
        Assert.Equal(HttpStatusCode.OK, coffee.StatusCode);
        Assert.Equal(1, backend.RequestCount);
        Assert.Equal("teapot", (await proxy.Observer.ForPathAsync("/tea")).Route);
    }

    [Fact]
    public async Task A_filter_factory_can_reject_a_snapshot()
    {
        await using var bed = await MeshTestBed.StartAsync();
        var backend = await bed.BackendAsync("reviews");
        await bed.ProxyAsync(
            ProxySettings.Sidecar(bed.ControlPlane.Address).Outbound("reviews", 9080),
            services => services.AddSingleton<IRouteFilterFactory, TeapotFilterFactory>());

        bed.ControlPlane.Push(Snapshot("1", [ServiceHost("reviews", 9080, To(Reviews, "teapot-broken"))], [Cluster(Reviews, backend)]));
        var nack = await bed.ControlPlane.WaitForNackAsync("1");

        Assert.Contains("broken teapot", nack.Message.Nack.Error, StringComparison.Ordinal);
    }

    private sealed class TeapotFilterFactory : IRouteFilterFactory
    {
        public IRouteFilter? Create(Route route) => route.Name switch
        {
            "teapot" => new TeapotFilter(),
            "teapot-broken" => throw new ArgumentException("broken teapot configuration"),
            _ => null,
        };
    }

    private sealed class TeapotFilter : IRouteFilter
    {
        public async ValueTask<bool> OnRequestAsync(HttpContext context, RoutingResult request)
        {
            context.Response.StatusCode = 418;
            await context.Response.WriteAsync("I'm a teapot");
            return false;
        }
    }
}
