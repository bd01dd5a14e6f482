namespace Mesh.ControlPlane.Snapshots;

/// <summary>The Gateway API's names as the mesh implements them (Istio's choices where the API leaves room).</summary>
internal static class GatewayApiNames
{
    /// <summary>The controller the mesh is: Istio's, so Istio's GatewayClass objects and Gateways of class <c>istio</c> are the mesh's.</summary>
    public const string ControllerName = "istio.io/gateway-controller";

    /// <summary>The class that exists without a GatewayClass object, as Istio creates it.</summary>
    public const string BuiltinClass = "istio";

    public const string Group = "gateway.networking.k8s.io";

    /// <summary>The label a Gateway's proxy carries (and Istio selects it by): the Gateway's name.</summary>
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    /// <summary>The label of Istio's generated gateway workloads.</summary>
    public const string IstioGatewayNameLabel = "istio.io/gateway-name";

    /// <summary>Istio's name for a Gateway's generated Deployment, Service and ServiceAccount: <c>&lt;gateway&gt;-&lt;class&gt;</c>.</summary>
    public static string DeploymentName(string gateway, string gatewayClass) => $"{gateway}-{gatewayClass}";

    /// <summary>A Gateway's server (listener) name in snapshots: <c>&lt;gateway&gt;.&lt;namespace&gt;/&lt;listener&gt;</c>.</summary>
    public static string ServerName(string gateway, string ns, string listener) => $"{gateway}.{ns}/{listener}";
}
