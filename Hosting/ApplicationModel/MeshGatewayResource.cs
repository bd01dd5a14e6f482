using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>The ingress gateway: the proxy core in gateway mode, at fixed local ports.</summary>
public sealed class MeshGatewayResource : ExecutableResource
{
    internal MeshGatewayResource(string name, MeshControlPlaneResource controlPlane, string workingDirectory)
        : base(name, "dotnet", workingDirectory)
    {
        ControlPlane = controlPlane;
    }

    internal const string HttpEndpointName = "http";
    internal const string HttpsEndpointName = "https";
    internal const string AdminEndpointName = "admin";
    internal const string TcpEndpointName = "tcp";

    /// <summary>The TCP listener's port (Istio's ingress gateway port <c>tcp</c>, 31400), or null for none.</summary>
    internal int? TcpPort { get; init; }

    /// <summary>The control plane this gateway takes its configuration from.</summary>
    public MeshControlPlaneResource ControlPlane { get; }

    /// <summary>
    /// The gateway's namespace when run locally: <c>istio-system</c>, where Istio installs its
    /// ingress gateway. Istio's tasks rely on it: a namespace-wide policy of the apps' namespace
    /// (the authorization task's allow-nothing) does not apply to the gateway, while policies
    /// selecting <c>istio: ingressgateway</c> in the root namespace do. Published manifests put the
    /// gateway in the publish namespace instead (see docs/kubernetes.md).
    /// </summary>
    public string Namespace { get; internal set; } = "istio-system";

    /// <summary>Labels Gateway resources select on (Istio's default ingress gateway labels).</summary>
    internal Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal)
    {
        ["istio"] = "ingressgateway",
        ["app"] = "istio-ingressgateway",
    };
}
