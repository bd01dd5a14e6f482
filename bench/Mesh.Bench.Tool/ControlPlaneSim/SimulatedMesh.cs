using System.Globalization;
using Mesh.Contracts.Snapshots;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// The simulated workloads and the config the simulation applies: proxy i is a replica of
/// service svc-(i mod S), version v1 or v2, with its own inbound port (as local replicas have)
/// and an outbound binding to the next service. Every proxy sees every service (no Sidecar
/// scoping), as in a default Istio install; svc-0 has subsets v1/v2 and the changes move its
/// traffic split, which changes every proxy's snapshot.
/// </summary>
public static class SimulatedMesh
{
    public const string Namespace = "default";
    public const int ServicePort = 9080;

    public static Node NodeFor(int index, int services)
    {
        var service = ServiceName(index % services);
        var version = (index / services) % 2 == 0 ? "v1" : "v2";
        var node = new Node
        {
            Id = $"sim-{index}",
            Workload = $"{service}-{version}",
            Namespace = Namespace,
            ServiceAccount = service,
            Mode = ProxyMode.Sidecar,
            Address = "127.0.0.1",
            ProxyVersion = "mesh-bench-sim",
        };
        node.Labels.Add("app", service);
        node.Labels.Add("version", version);
        node.Services.Add(new ServiceMembership
        {
            Name = service,
            Ports = { new ServicePort { Name = "http", Port = ServicePort, Protocol = Protocol.Http, InboundPort = (uint)(20000 + index), TargetPort = 8080 } },
        });
        node.Outbound.Add(new OutboundBinding { Host = ServiceName((index + 1) % services), Port = ServicePort, LocalPort = 15001, Protocol = Protocol.Http });
        return node;
    }

    /// <summary>The index of the service a simulated proxy is a replica of (its app label, svc-k).</summary>
    public static int ServiceIndexOf(Node node) => int.Parse(node.Labels["app"].AsSpan("svc-".Length), CultureInfo.InvariantCulture);

    /// <summary>The services a replica of service <paramref name="service"/> sees: all, or with <see cref="SidecarScopes"/> its own, the next and svc-0.</summary>
    public static IReadOnlySet<int> VisibleServices(int service, int services, bool scoped) =>
        scoped ? new HashSet<int> { service, (service + 1) % services, 0 } : Enumerable.Range(0, services).ToHashSet();

    public static string ServiceName(int index) => "svc-" + index.ToString(CultureInfo.InvariantCulture);

    public static string BaseConfig() => $"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: svc-0
          namespace: {Namespace}
        spec:
          host: svc-0
          subsets:
          - name: v1
            labels:
              version: v1
          - name: v2
            labels:
              version: v2
        """;

    /// <summary>
    /// One Sidecar per service: its workloads (app label) see only their own service, the one
    /// they call (the next) and svc-0, whose routes the changes move.
    /// </summary>
    public static string SidecarScopes(int services) => string.Join("---\n", Enumerable.Range(0, services).Select(i =>
    {
        var hosts = VisibleServices(i, services, scoped: true).Order().Select(s => $"    - ./{ServiceName(s)}.{Namespace}.svc.cluster.local\n");
        return $"""
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata:
              name: {ServiceName(i)}
              namespace: {Namespace}
            spec:
              workloadSelector:
                labels:
                  app: {ServiceName(i)}
              egress:
              - hosts:

            """ + string.Concat(hosts);
    }));

    /// <summary>
    /// <paramref name="count"/> more DestinationRules (push-cost's <c>--destination-rules</c>), each
    /// document after a separator: one per service but svc-0 (a connection pool limit), then rules
    /// for hosts outside the mesh — what every service's rule lookup has to get past.
    /// </summary>
    public static string MoreDestinationRules(int count, int services) => string.Concat(Enumerable.Range(0, count).Select(i =>
    {
        var host = i < services - 1 ? ServiceName(i + 1) : $"ext-{i.ToString(CultureInfo.InvariantCulture)}.example.com";
        return $$"""

            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: dr-{{i.ToString(CultureInfo.InvariantCulture)}}
              namespace: {{Namespace}}
            spec:
              host: {{host}}
              trafficPolicy:
                connectionPool:
                  http:
                    http1MaxPendingRequests: {{100 + i}}
            """;
    }));

    /// <summary>Change number n: a different v1/v2 split of svc-0 each time.</summary>
    public static string Change(int n)
    {
        var v1 = 10 + ((n * 10) % 80);
        return $"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: svc-0
              namespace: {Namespace}
            spec:
              hosts:
              - svc-0
              http:
              - route:
                - destination:
                    host: svc-0
                    subset: v1
                  weight: {v1}
                - destination:
                    host: svc-0
                    subset: v2
                  weight: {100 - v1}
            """;
    }
}
