using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Traffic;
using Mesh.Proxy.Traffic.OutlierDetection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Tests.Traffic.Unit;

/// <summary>Routes and clusters without traffic features pay no allocation for the traffic stages.</summary>
public sealed class HotPathAllocationTests
{
    [Fact]
    public async Task Traffic_transforms_and_timeouts_allocate_nothing_for_plain_routes()
    {
        var listeners = ListenerSet.Create(new MeshProxyOptions { Node = { Workload = "bench" }, Outbound = { new OutboundBindingOptions { Host = "reviews", Port = 9080 } } });
        var cluster = new UpstreamCluster("outbound|9080||reviews.default.svc.cluster.local", Protocol.Http);
        var route = new HttpRouteModel("default", [], new RouteActionModel(new WeightedClusterTable([(cluster, 100)])));
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/reviews/0";
        context.Request.Headers["end-user"] = "jason";
        var feature = new RoutingResult { Listener = listeners.OfKind(ListenerKind.Outbound).First(), Route = route, Cluster = cluster };
        context.Features.Set(feature);
        var detector = new OutlierDetector(new NoDestinationUpdates(), TimeProvider.System, NullLogger<OutlierDetector>.Instance);
        var request = new TrafficRequestTransform();
        var response = new TrafficResponseTransform(detector);
        using var proxyRequest = new HttpRequestMessage();
        using var upstreamResponse = new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        var requestContext = new RequestTransformContext { HttpContext = context, ProxyRequest = proxyRequest, Path = context.Request.Path, DestinationPrefix = "http://127.0.0.1:1" };
        var responseContext = new ResponseTransformContext { HttpContext = context, ProxyResponse = upstreamResponse };

        for (var i = 0; i < 100; i++)
        {
            await request.ApplyAsync(requestContext);
            await response.ApplyAsync(responseContext);
            _ = UpstreamTimeouts.For(context, feature, route.Action);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            await request.ApplyAsync(requestContext);
            await response.ApplyAsync(responseContext);
            _ = UpstreamTimeouts.For(context, feature, route.Action);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private sealed class NoDestinationUpdates : global::Yarp.ReverseProxy.Health.IClusterDestinationsUpdater
    {
        public void UpdateAllDestinations(global::Yarp.ReverseProxy.Model.ClusterState cluster)
        {
        }

        public void UpdateAvailableDestinations(global::Yarp.ReverseProxy.Model.ClusterState cluster)
        {
        }
    }
}
