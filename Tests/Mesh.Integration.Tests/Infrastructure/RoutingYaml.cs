namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>Istio YAML for the reviews service, as a user would write it.</summary>
public static class RoutingYaml
{
    public static string ReviewsSubsets(IEnumerable<string> versions) =>
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: reviews
        spec:
          host: reviews
          subsets:

        """ + string.Concat(versions.Select(v => $"  - name: {v}\n    labels:\n      version: {v}\n"));

    /// <summary>Every request to one subset.</summary>
    public static string AllTo(string subset) =>
        $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
                subset: {subset}
        """;

    /// <summary>Istio's request-routing task: <c>end-user: jason</c> to one subset, everyone else to another.</summary>
    public static string UserTo(string user, string subset, string otherwise) =>
        $"""
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts:
          - reviews.default.svc.cluster.local
          http:
          - name: {user}
            match:
            - headers:
                end-user:
                  exact: {user}
            route:
            - destination:
                host: reviews
                subset: {subset}
          - route:
            - destination:
                host: reviews
                subset: {otherwise}
        """;

    /// <summary>A weighted split between two subsets.</summary>
    public static string Split(string first, int firstWeight, string second, int secondWeight) =>
        $"""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
                subset: {first}
              weight: {firstWeight}
            - destination:
                host: reviews
                subset: {second}
              weight: {secondWeight}
        """;

    /// <summary>The mesh-wide PeerAuthentication (root namespace) with an mTLS mode.</summary>
    public static string MeshWideMtls(string mode) =>
        $"""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: istio-system
        spec:
          mtls:
            mode: {mode}
        """;
}
