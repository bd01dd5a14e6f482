using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Tests.L4;

/// <summary>Snapshot builders for L4 (what the control plane sends for TCP/TLS services and gateways).</summary>
public static class L4Snapshots
{
    public static string Fqdn(string service) => $"{service}.default.svc.cluster.local";

    public static string ClusterName(string service, int port, string subset = "") => $"outbound|{port}|{subset}|{Fqdn(service)}";

    public static Cluster TcpCluster(string name, params int[] endpointPorts)
    {
        var cluster = new Cluster
        {
            Name = name,
            Protocol = Protocol.Tcp,
            LoadBalancer = new LoadBalancer { Simple = LoadBalancer.Types.Simple.RoundRobin },
        };
        foreach (var port in endpointPorts)
        {
            cluster.Endpoints.Add(new Endpoint { Address = "127.0.0.1", Port = (uint)port, Weight = 1, Workload = $"backend-{port}" });
        }

        return cluster;
    }

    /// <summary>A sidecar L4 listener for service:port with its default chain(s).</summary>
    public static L4Listener Service(string service, int port, Protocol protocol, params L4FilterChain[] chains)
    {
        var listener = new L4Listener { Name = $"{Fqdn(service)}:{port}", Port = (uint)port, Protocol = protocol };
        listener.Hosts.Add([service, $"{service}.default", $"{service}.default.svc", Fqdn(service)]);
        listener.FilterChains.Add(chains);
        return listener;
    }

    public static L4FilterChain Chain(string name, params (string Cluster, uint Weight)[] clusters)
    {
        var chain = new L4FilterChain { Name = name, VirtualService = "test.default" };
        foreach (var (cluster, weight) in clusters)
        {
            chain.Clusters.Add(new WeightedCluster { Cluster = cluster, Weight = weight });
        }

        return chain;
    }

    public static L4FilterChain To(string cluster) => Chain("default", (cluster, 100));

    public static L4FilterChain WithSni(this L4FilterChain chain, params string[] sniHosts)
    {
        chain.SniHosts.Add(sniHosts);
        return chain;
    }

    public static L4FilterChain ForServer(this L4FilterChain chain, string server)
    {
        chain.GatewayServer = server;
        return chain;
    }

    public static Cluster WithPool(this Cluster cluster, uint maxConnections = 0, TimeSpan? idleTimeout = null, TimeSpan? connectTimeout = null)
    {
        cluster.ConnectionPool = new ConnectionPool { MaxConnections = maxConnections };
        if (idleTimeout is { } idle)
        {
            cluster.ConnectionPool.TcpIdleTimeout = Duration.FromTimeSpan(idle);
        }

        if (connectTimeout is { } connect)
        {
            cluster.ConnectionPool.ConnectTimeout = Duration.FromTimeSpan(connect);
        }

        return cluster;
    }

    public static ProxySnapshot Snapshot(string version, IEnumerable<L4Listener> listeners, params Cluster[] clusters)
    {
        var snapshot = new ProxySnapshot { Version = version };
        snapshot.L4Listeners.Add(listeners);
        snapshot.Clusters.Add(clusters);
        return snapshot;
    }

    public static GatewayServer Server(string name, int port, Protocol protocol, GatewayTls.Types.Mode mode = GatewayTls.Types.Mode.None, params string[] hosts)
    {
        var server = new GatewayServer { Name = name, Port = (uint)port, PortName = name, Protocol = protocol };
        server.Hosts.Add(hosts.Length == 0 ? ["*"] : hosts);
        if (mode != GatewayTls.Types.Mode.None)
        {
            server.Tls = new GatewayTls { Mode = mode };
        }

        return server;
    }
}
