namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>Cluster objects as the EndpointSlice controller writes them, for the registry's tests.</summary>
internal static class ClusterYaml
{
    /// <summary>One slice of a Service in <c>default</c>: port <c>http</c>, each endpoint in zone-a with its pod as targetRef.</summary>
    public static string EndpointSlice(string service, int port, string addressType, params (string Pod, string Address, string Conditions)[] endpoints) => $$"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {{service}}-abc12
          namespace: default
          labels: {kubernetes.io/service-name: {{service}}}
        addressType: {{addressType}}
        ports: [{name: http, port: {{port}}, protocol: TCP}]
        endpoints:
        {{string.Join("\n", endpoints.Select(e => $"- {{addresses: [{e.Address}], conditions: {{{e.Conditions}}}, zone: zone-a, targetRef: {{kind: Pod, name: {e.Pod}, namespace: default}}}}"))}}
        """;
}
