using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Tests.Infrastructure;

/// <summary>Builders for the snapshots a control plane would push (Istio-shaped names and domains).</summary>
public static class TestSnapshots
{
    public static string ClusterName(string service, int port, string subset = "")
        => $"outbound|{port}|{subset}|{service}.default.svc.cluster.local";

    public static Cluster Cluster(string name, Protocol protocol, params int[] endpointPorts)
    {
        var cluster = new Cluster { Name = name, Protocol = protocol, LoadBalancer = new LoadBalancer { Simple = LoadBalancer.Types.Simple.RoundRobin } };
        foreach (var port in endpointPorts)
        {
            cluster.Endpoints.Add(new Endpoint { Address = "127.0.0.1", Port = (uint)port });
        }

        return cluster;
    }

    public static Cluster Cluster(string name, params TestBackend[] backends)
        => Cluster(name, Protocol.Http, [.. backends.Select(b => b.Port)]);

    /// <summary>A sidecar virtual host for service:port with Istio's domain variants.</summary>
    public static VirtualHost ServiceHost(string service, int port, params Route[] routes)
    {
        var fqdn = $"{service}.default.svc.cluster.local";
        var vh = new VirtualHost { Name = $"{fqdn}:{port}", Port = (uint)port };
        vh.Domains.Add([service, $"{service}:{port}", $"{service}.default", $"{service}.default:{port}", fqdn, $"{fqdn}:{port}"]);
        vh.Routes.Add(routes);
        return vh;
    }

    public static Route To(string cluster, string name = "default", params RouteMatch[] matches)
    {
        var route = new Route { Name = name, VirtualService = "test.default", Route_ = new RouteAction() };
        route.Route_.Clusters.Add(new WeightedCluster { Cluster = cluster, Weight = 100 });
        route.Matches.Add(matches);
        return route;
    }

    public static Route Split(string name, params (string Cluster, uint Weight)[] clusters)
    {
        var route = new Route { Name = name, Route_ = new RouteAction() };
        foreach (var (cluster, weight) in clusters)
        {
            route.Route_.Clusters.Add(new WeightedCluster { Cluster = cluster, Weight = weight });
        }

        return route;
    }

    public static RouteMatch HeaderExact(string header, string value)
    {
        var match = new RouteMatch();
        match.Headers[header] = new StringMatch { Exact = value };
        return match;
    }

    public static RouteMatch UriPrefix(string prefix) => new() { Uri = new StringMatch { Prefix = prefix } };

    public static Route WithRetries(this Route route, uint attempts, string retryOn, TimeSpan? perTryTimeout = null)
    {
        route.Route_.Retries = new RetryPolicy { Attempts = attempts };
        route.Route_.Retries.RetryOn.Add(retryOn.Split(','));
        if (perTryTimeout is { } timeout)
        {
            route.Route_.Retries.PerTryTimeout = Duration.FromTimeSpan(timeout);
        }

        return route;
    }

    public static Route WithTimeout(this Route route, TimeSpan timeout)
    {
        route.Route_.Timeout = Duration.FromTimeSpan(timeout);
        return route;
    }

    public static ProxySnapshot Snapshot(string version, IEnumerable<VirtualHost> virtualHosts, IEnumerable<Cluster> clusters, bool registryOnly = false)
    {
        var snapshot = new ProxySnapshot
        {
            Version = version,
            OutboundTrafficPolicy = new OutboundTrafficPolicy
            {
                Mode = registryOnly ? OutboundTrafficPolicy.Types.Mode.RegistryOnly : OutboundTrafficPolicy.Types.Mode.AllowAny,
            },
        };
        snapshot.VirtualHosts.Add(virtualHosts);
        snapshot.Clusters.Add(clusters);
        return snapshot;
    }
}
