namespace Mesh.ControlPlane.Registry;

/// <summary>Where the registry's workloads come from: the one difference between running locally and on Kubernetes.</summary>
internal enum WorkloadSource
{
    /// <summary>Each connected proxy registers its own workload (locally: no API server).</summary>
    Proxies,

    /// <summary>The API server's EndpointSlices and Pods (Kubernetes mode), the same on every control-plane replica.</summary>
    ApiServer,
}
