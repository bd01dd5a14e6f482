using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// The mesh control plane (istiod's role) as an Aspire resource. It also carries the mesh's
/// declarative model — which workloads have sidecars, which services they form and who calls
/// whom — so sidecar wiring and Kubernetes publishing derive everything from one place.
/// </summary>
public sealed class MeshControlPlaneResource : ExecutableResource
{
    internal const string AdminEndpointName = "admin";
    internal const string GrpcEndpointName = "grpc";

    /// <summary>Config in <c>mesh-config/</c> and state in <c>.mesh-data/</c> beside the AppHost until told otherwise.</summary>
    internal MeshControlPlaneResource(string name, string appHostDirectory)
        : base(name, "dotnet", appHostDirectory)
    {
        ConfigDirectory = Path.Combine(appHostDirectory, "mesh-config");
        DataDirectory = Path.Combine(appHostDirectory, ".mesh-data");
    }

    /// <summary>Kubernetes-style namespace of every workload in this mesh.</summary>
    public string Namespace { get; internal set; } = "default";

    /// <summary>SPIFFE trust domain of workload identities.</summary>
    public string TrustDomain { get; internal set; } = "cluster.local";

    /// <summary>Prefix of each workload's service account name (Istio's Bookinfo uses "bookinfo-").</summary>
    public string ServiceAccountPrefix { get; internal set; } = "";

    /// <summary>Service port per app endpoint name, when the workload does not say otherwise.</summary>
    internal Dictionary<string, int> DefaultServicePorts { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = 80,
        ["https"] = 443,
        ["grpc"] = 9090,
    };

    /// <summary>The Istio-format YAML directory the control plane watches.</summary>
    public string ConfigDirectory { get; internal set; }

    /// <summary>Where applied config, the CA and the admin token are persisted.</summary>
    public string DataDirectory { get; internal set; }

    internal List<MeshWorkload> Workloads { get; } = [];

    internal List<MeshGatewayResource> Gateways { get; } = [];

    /// <summary>
    /// The network of the mesh's local workloads (<c>ControlPlane__Network</c>), set by its east-west
    /// gateway; null: the unnamed network, the same network as every other.
    /// </summary>
    internal string? Network { get; set; }

    /// <summary>The admin API and mesh console (meshctl's <c>--server</c>).</summary>
    public EndpointReference AdminEndpoint => new(this, AdminEndpointName);

    /// <summary>The discovery and CA gRPC endpoint the proxies connect to.</summary>
    public EndpointReference GrpcEndpoint => new(this, GrpcEndpointName);
}
