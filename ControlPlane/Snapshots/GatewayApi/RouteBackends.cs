using Mesh.Config.Model.GatewayApi;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Resolves a route's backendRefs to clusters: a Service (the only backend kind) in the route's
/// namespace, or in another one that a ReferenceGrant opens to the route's kind (gateway routes;
/// mesh routes are not checked, as Istio does), which exists and has the port. An invalid backend
/// keeps its share of the weight on a cluster without endpoints (503 no healthy upstream); a rule
/// left with no valid backend answers 500 (the spec: 500 for a route without a usable backend).
/// </summary>
internal sealed class RouteBackends(ServiceIndex services, ReferenceGrants grants, MeshSettings settings, string routeKind, string routeNamespace, bool enforceGrants)
{
    /// <summary>The host of the cluster invalid backends' share goes to: nothing serves it.</summary>
    public const string InvalidBackendHost = "invalid-backend.gateway-api.internal";

    /// <summary>The cluster (host, port) of a backend, or a problem (BackendNotFound, RefNotPermitted, InvalidKind).</summary>
    public ((string Host, uint Port)? Cluster, GatewayApiProblem? Problem) Resolve(string? group, string? kind, string? name, string? ns, int? port)
    {
        group ??= "";
        kind ??= "Service";
        if (group != "" || kind != "Service")
        {
            return (null, new("InvalidKind", $"referencing unsupported backendRef: group \"{group}\" kind \"{kind}\""));
        }

        var target = ns ?? routeNamespace;
        if (enforceGrants && !grants.Allows(GatewayApiNames.Group, routeKind, routeNamespace, "", "Service", target, name ?? ""))
        {
            return (null, new("RefNotPermitted", $"backendRef {name}/{target} not accessible to a {routeKind} in namespace \"{routeNamespace}\" (missing a ReferenceGrant?)"));
        }

        var hostname = $"{name}.{target}.svc.{settings.DomainSuffix}".ToLowerInvariant();
        if (name is null || name.Contains('.', StringComparison.Ordinal) || services.Find(hostname) is not { } service)
        {
            return (null, new("BackendNotFound", $"backend({hostname}) not found"));
        }

        if (port is not { } number || service.FindPort((uint)number) is null)
        {
            return (null, new("BackendNotFound", $"backend({hostname}) has no port {port}"));
        }

        return ((hostname, (uint)number), null);
    }

    /// <summary>The weighted clusters of a rule's backendRefs (zero weights dropped); empty when none is usable.</summary>
    public (List<Wire.WeightedCluster> Clusters, List<(string Host, uint Port)> References, List<GatewayApiProblem> Problems, bool AnyValid) Weighted(IReadOnlyList<HttpBackendRef> backends)
    {
        var clusters = new List<Wire.WeightedCluster>();
        var references = new List<(string, uint)>();
        var problems = new List<GatewayApiProblem>();
        var kept = backends.Where(b => (b.Weight ?? 1) > 0).ToList();
        var weights = RouteSnapshotBuilder.Normalize([.. kept.Select(b => b.Weight ?? 1)]);
        var anyValid = false;
        for (var i = 0; i < kept.Count; i++)
        {
            var backend = kept[i];
            var (cluster, problem) = Resolve(backend.Group, backend.Kind, backend.Name, backend.Namespace, backend.Port);
            if (problem is not null)
            {
                problems.Add(problem);
            }

            anyValid |= cluster is not null;
            var reference = cluster ?? (InvalidBackendHost, 0u);
            references.Add(reference);
            clusters.Add(new Wire.WeightedCluster
            {
                Cluster = HostNames.ClusterName(reference.Item2, null, reference.Item1),
                Weight = weights[i],
                RequestHeaders = RouteFilterBuilder.HeaderOperations(backend.Filters.FirstOrDefault(f => f.Type == RouteFilterType.RequestHeaderModifier)?.RequestHeaderModifier),
                ResponseHeaders = RouteFilterBuilder.HeaderOperations(backend.Filters.FirstOrDefault(f => f.Type == RouteFilterType.ResponseHeaderModifier)?.ResponseHeaderModifier),
            });
        }

        return (clusters, references, problems, anyValid);
    }
}
