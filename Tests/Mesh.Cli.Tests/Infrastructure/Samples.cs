namespace Mesh.Cli.Tests.Infrastructure;

public static class Samples
{
    public static string VirtualService(string name, string subset = "v1", string host = "reviews") => $"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: {name}
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

    /// <summary>Two problems: an unknown field and a negative weight.</summary>
    public const string Invalid = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: broken
        spec:
          hosts:
          - reviews
          http:
          - route:
            - destination:
                host: reviews
              weight: -1
            - destination:
                host: ratings
              wieght: 10

        """;
}
