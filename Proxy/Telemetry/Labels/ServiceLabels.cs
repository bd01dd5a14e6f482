namespace Mesh.Proxy.Telemetry.Labels;

/// <summary>The destination_service labels of a service (one instance per cluster per snapshot).</summary>
internal sealed class ServiceLabels
{
    public ServiceLabels(string service, string name, string @namespace)
    {
        Service = service;
        Name = name;
        Namespace = @namespace;
    }

    public static ServiceLabels Unknown { get; } = new(Peers.WorkloadPeer.Unknown, Peers.WorkloadPeer.Unknown, Peers.WorkloadPeer.Unknown);

    /// <summary>Envoy's catch-all for hosts the mesh does not know (ALLOW_ANY).</summary>
    public static ServiceLabels Passthrough { get; } = new("PassthroughCluster", "PassthroughCluster", Peers.WorkloadPeer.Unknown);

    /// <summary>FQDN, e.g. <c>reviews.default.svc.cluster.local</c>.</summary>
    public string Service { get; }

    public string Name { get; }

    public string Namespace { get; }

    /// <summary>Labels of a service host: a Kubernetes-style FQDN yields its short name and namespace.</summary>
    public static ServiceLabels FromHost(string host)
    {
        var parts = host.Split('.');
        return parts.Length >= 3 && parts[2] == "svc"
            ? new ServiceLabels(host, parts[0], parts[1])
            : new ServiceLabels(host, host, Peers.WorkloadPeer.Unknown);
    }

    public override string ToString() => Service;
}
