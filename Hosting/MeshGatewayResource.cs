using Aspire.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>The ingress gateway: the proxy core in gateway mode, at fixed local ports.</summary>
public sealed class MeshGatewayResource(string name, MeshControlPlaneResource controlPlane) : ProjectResource(name)
{
    internal const string HttpEndpointName = "http";
    internal const string HttpsEndpointName = "https";
    internal const string AdminEndpointName = "admin";

    public MeshControlPlaneResource ControlPlane { get; } = controlPlane;

    /// <summary>Labels Gateway resources select on (Istio's default ingress gateway labels).</summary>
    public Dictionary<string, string> Labels { get; } = new(StringComparer.Ordinal)
    {
        ["istio"] = "ingressgateway",
        ["app"] = "istio-ingressgateway",
    };
}
