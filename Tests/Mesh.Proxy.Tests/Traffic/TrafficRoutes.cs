using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Tests.Traffic;

/// <summary>Snapshot builders for traffic management features, shaped as the control plane sends them.</summary>
internal static class TrafficRoutes
{
    public static Route WithDelay(this Route route, TimeSpan delay, double percentage = 100)
    {
        route.Fault ??= new Fault();
        route.Fault.Delay = new DelayFault { FixedDelay = Duration.FromTimeSpan(delay), Percentage = percentage };
        return route;
    }

    public static Route WithAbort(this Route route, uint httpStatus, double percentage = 100)
    {
        route.Fault ??= new Fault();
        route.Fault.Abort = new AbortFault { HttpStatus = httpStatus, Percentage = percentage };
        return route;
    }

    public static Route WithGrpcAbort(this Route route, string grpcStatus, double percentage = 100)
    {
        route.Fault ??= new Fault();
        route.Fault.Abort = new AbortFault { GrpcStatus = grpcStatus, Percentage = percentage };
        return route;
    }

    public static Route WithMirror(this Route route, string cluster, double percentage = 100)
    {
        route.Mirrors.Add(new Mirror { Cluster = cluster, Percentage = percentage });
        return route;
    }

    public static Route WithRequestHeaders(this Route route, HeaderOperations operations)
    {
        route.RequestHeaders = operations;
        return route;
    }

    public static Route WithResponseHeaders(this Route route, HeaderOperations operations)
    {
        route.ResponseHeaders = operations;
        return route;
    }

    public static Route WithRewrite(this Route route, Rewrite rewrite)
    {
        route.Route_.Rewrite = rewrite;
        return route;
    }

    public static Route WithCors(this Route route, CorsPolicy cors)
    {
        route.Cors = cors;
        return route;
    }

    public static Route Redirecting(string name, Redirect redirect, params RouteMatch[] matches)
    {
        var route = new Route { Name = name, VirtualService = "test.default", Redirect = redirect };
        route.Matches.Add(matches);
        return route;
    }

    public static Route Answering(string name, uint status, string body, params RouteMatch[] matches)
    {
        var route = new Route { Name = name, VirtualService = "test.default", DirectResponse = new DirectResponse { Status = status, Body = body } };
        route.Matches.Add(matches);
        return route;
    }

    public static RouteMatch UriExact(string path) => new() { Uri = new StringMatch { Exact = path } };

    public static RouteMatch UriRegex(string pattern) => new() { Uri = new StringMatch { Regex = pattern } };

    public static HeaderOperations Ops(
        IEnumerable<(string Name, string Value)>? set = null,
        IEnumerable<(string Name, string Value)>? add = null,
        IEnumerable<string>? remove = null)
    {
        var operations = new HeaderOperations();
        foreach (var (name, value) in set ?? [])
        {
            operations.Set[name] = value;
        }

        foreach (var (name, value) in add ?? [])
        {
            operations.Add[name] = value;
        }

        operations.Remove.Add(remove ?? []);
        return operations;
    }

    public static Cluster WithPool(this Cluster cluster, ConnectionPool pool)
    {
        cluster.ConnectionPool = pool;
        return cluster;
    }

    public static Cluster WithOutlierDetection(this Cluster cluster, OutlierDetection outlier)
    {
        cluster.OutlierDetection = outlier;
        return cluster;
    }

    public static Cluster WithLoadBalancer(this Cluster cluster, LoadBalancer loadBalancer)
    {
        cluster.LoadBalancer = loadBalancer;
        return cluster;
    }
}
