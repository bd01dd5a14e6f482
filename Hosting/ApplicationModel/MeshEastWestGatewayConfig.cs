namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// The Istio configuration an east-west gateway needs, as Istio's samples/multicluster ship it:
/// the cross-network Gateway (<c>expose-services.yaml</c>: 15443, AUTO_PASSTHROUGH, <c>*.local</c>)
/// and the control plane's port (<c>expose-istiod.yaml</c>, with a TCP server: the gateway forwards
/// the discovery/CA connection as it is). Applied through the control plane's admin API, so
/// <c>meshctl get gateways -n istio-system</c> shows it and <c>meshctl delete</c> removes it.
/// </summary>
internal static class MeshEastWestGatewayConfig
{
    public const string CrossNetworkGatewayName = "cross-network-gateway";
    public const string ControlPlaneGatewayName = "istiod-gateway";
    public const string ControlPlaneVirtualServiceName = "istiod-vs";

    /// <summary>The control plane as a mesh service (docs/vm.md §5).</summary>
    public const string ControlPlaneHost = "istiod.istio-system.svc.cluster.local";

    public static string Yaml(MeshEastWestGatewayResource gateway)
    {
        var selector = $"{{istio: {gateway.Labels["istio"]}}}";
        return $$$"""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: {{{CrossNetworkGatewayName}}}, namespace: {{{gateway.Namespace}}}}
            spec:
              selector: {{{selector}}}
              servers:
              - port: {number: {{{MeshEastWestGatewayResource.CrossNetworkPort}}}, name: tls, protocol: TLS}
                tls: {mode: AUTO_PASSTHROUGH}
                hosts: ["*.local"]
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: {{{ControlPlaneGatewayName}}}, namespace: {{{gateway.Namespace}}}}
            spec:
              selector: {{{selector}}}
              servers:
              - port: {number: {{{MeshEastWestGatewayResource.ControlPlanePort}}}, name: tcp-istiod, protocol: TCP}
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: {{{ControlPlaneVirtualServiceName}}}, namespace: {{{gateway.Namespace}}}}
            spec:
              hosts: ["*"]
              gateways: [{{{ControlPlaneGatewayName}}}]
              tcp:
              - match: [{port: {{{MeshEastWestGatewayResource.ControlPlanePort}}}}]
                route:
                - destination:
                    host: {{{ControlPlaneHost}}}
                    port: {number: {{{MeshEastWestGatewayResource.ControlPlanePort}}}}

            """;
    }
}
