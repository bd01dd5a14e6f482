using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.Benchmarks;

/// <summary>
/// The mesh the micro-benchmarks use: Bookinfo-like "reviews" (v1–v3) with a route table that
/// exercises every match kind, plus <c>services</c> filler services of <c>replicas</c> endpoints
/// each, so snapshot build and translation can be measured at different mesh sizes. Built
/// through the real YAML parser and snapshot builder, so the benchmarks see production shapes.
/// </summary>
internal static class BenchMesh
{
    public const int ServicePort = 9080;

    /// <summary>The reviews route table: five conditional routes before the weighted default.</summary>
    public const string ReviewsConfig = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: reviews
          namespace: default
        spec:
          host: reviews
          subsets:
          - name: v1
            labels: {version: v1}
          - name: v2
            labels: {version: v2}
          - name: v3
            labels: {version: v3}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts:
          - reviews
          http:
          - name: jason
            match:
            - headers:
                end-user:
                  exact: jason
            route:
            - destination: {host: reviews, subset: v2}
          - name: tester-cookie
            match:
            - headers:
                cookie:
                  regex: "^(.*?;)?(user=tester)(;.*)?$"
            route:
            - destination: {host: reviews, subset: v3}
          - name: api-v2-post
            match:
            - uri:
                prefix: /api/v2/
              method:
                exact: POST
            route:
            - destination: {host: reviews, subset: v2}
          - name: debug
            match:
            - queryParams:
                debug:
                  exact: "1"
            route:
            - destination: {host: reviews, subset: v3}
          - name: static
            match:
            - uri:
                regex: "/static/.+\\.(css|js)"
            route:
            - destination: {host: reviews, subset: v1}
          - name: default
            route:
            - destination: {host: reviews, subset: v1}
              weight: 80
            - destination: {host: reviews, subset: v2}
              weight: 10
            - destination: {host: reviews, subset: v3}
              weight: 10
            retries:
              attempts: 2
              retryOn: 5xx,connect-failure
            timeout: 5s
        """;

    public static MeshSettings Settings { get; } = new();

    /// <summary>productpage's sidecar: calls reviews through an outbound listener.</summary>
    public static Node ProductPage { get; } = Sidecar("productpage", "v1", 0);

    public static MeshModel Model(int fillerServices)
    {
        var yaml = new StringBuilder(ReviewsConfig);
        for (var i = 0; i < fillerServices; i += 5)
        {
            // Every fifth filler service has its own VirtualService and DestinationRule.
            yaml.Append(CultureInfo.InvariantCulture, $$$"""

                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: svc-{{{i}}}, namespace: default}
                spec:
                  host: svc-{{{i}}}
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: svc-{{{i}}}, namespace: default}
                spec:
                  hosts: [svc-{{{i}}}]
                  http:
                  - route:
                    - destination: {host: svc-{{{i}}}, subset: v1}
                      weight: 90
                    - destination: {host: svc-{{{i}}}, subset: v2}
                      weight: 10
                """);
        }

        var parsed = ConfigParser.Parse(yaml.ToString(), "bench");
        if (parsed.Errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", parsed.Errors));
        }

        return new MeshModel(1, [.. parsed.Objects]);
    }

    public static RegistrySnapshot Registry(int fillerServices, int replicas)
    {
        var nodes = new List<Node> { ProductPage, Sidecar("reviews", "v1", 1), Sidecar("reviews", "v2", 2), Sidecar("reviews", "v3", 3) };
        var index = 10;
        for (var s = 0; s < fillerServices; s++)
        {
            for (var r = 0; r < replicas; r++)
            {
                nodes.Add(Sidecar($"svc-{s}", r % 2 == 0 ? "v1" : "v2", index++));
            }
        }

        return new RegistrySnapshot(1, [.. nodes.Select(n => new WorkloadInstance(n, DateTimeOffset.UnixEpoch))]);
    }

    public static SnapshotInputs Inputs(int fillerServices, int replicas) => new(Model(fillerServices), Registry(fillerServices, replicas), Settings);

    private static Node Sidecar(string app, string version, int index)
    {
        var node = new Node
        {
            Id = $"{app}-{version}-{index}",
            Workload = $"{app}-{version}",
            Namespace = "default",
            ServiceAccount = app,
            Mode = ProxyMode.Sidecar,
            Address = "127.0.0.1",
            Labels = { ["app"] = app, ["version"] = version },
        };
        node.Services.Add(new ServiceMembership
        {
            Name = app,
            Ports = { new ServicePort { Name = "http", Port = ServicePort, Protocol = Protocol.Http, InboundPort = (uint)(20000 + index), TargetPort = 8080 } },
        });
        if (app == "productpage")
        {
            node.Outbound.Add(new OutboundBinding { Host = "reviews", Port = ServicePort, LocalPort = 15001, Protocol = Protocol.Http });
        }

        return node;
    }
}
