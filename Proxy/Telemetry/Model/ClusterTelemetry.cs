using System.Collections.Frozen;
using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Peers;

namespace Mesh.Proxy.Telemetry.Model;

/// <summary>What telemetry needs to know about one cluster of a snapshot, resolved once per snapshot.</summary>
internal sealed class ClusterTelemetry
{
    public ClusterTelemetry(ServiceLabels service, string spanName, bool inMesh, FrozenDictionary<string, EndpointTelemetry> endpoints)
    {
        Service = service;
        SpanName = spanName;
        InMesh = inMesh;
        Endpoints = endpoints;
    }

    public ServiceLabels Service { get; }

    /// <summary>Envoy's default operation name: <c>&lt;service&gt;:&lt;port&gt;/*</c>.</summary>
    public string SpanName { get; }

    /// <summary>The endpoints are mesh workloads: the proxy tells them who is calling (peer metadata).</summary>
    public bool InMesh { get; }

    /// <summary>By YARP destination id ("address:port").</summary>
    public FrozenDictionary<string, EndpointTelemetry> Endpoints { get; }
}

/// <summary>The workload behind one endpoint, and whether the proxy talks mTLS to it.</summary>
internal sealed record EndpointTelemetry(WorkloadPeer Peer, string Principal, bool MutualTls);
