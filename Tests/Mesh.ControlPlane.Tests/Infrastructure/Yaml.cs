namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>Istio YAML documents used across tests.</summary>
public static class Yaml
{
    public static string VirtualService(string name, string host = "reviews", string subset = "v1", string @namespace = "default") => $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: {name}
          namespace: {@namespace}
        spec:
          hosts:
          - {host}
          http:
          - route:
            - destination:
                host: {host}
                subset: {subset}

        """;

    public static string DestinationRule(string name, string host = "reviews") => $"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: {name}
        spec:
          host: {host}
          subsets:
          - name: v1
            labels:
              version: v1

        """;

    /// <summary>A VirtualService with a negative route weight (an Istio validation error at <see cref="InvalidPath"/>).</summary>
    public const string InvalidPath = "spec.http[0].route[1].weight";

    public static string InvalidVirtualService(string name) => $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: {name}
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
                subset: v1
              weight: 30
            - destination:
                host: reviews
                subset: v2
              weight: -5

        """;

    public static string Documents(params string[] documents) => string.Join("---\n", documents);
}
