using System.Text.Json.Nodes;

namespace Mesh.Hosting.Dashboard;

/// <summary>
/// What the control plane holds for one service today, as the dashboard commands see it: its
/// VirtualService (named after the service, as Istio's samples name theirs), the DestinationRule
/// for its host (which subset is which version), and the PeerAuthentication the dashboard manages
/// for its workloads.
/// </summary>
internal sealed class ServiceRouting
{
    private ServiceRouting(string service, string @namespace, IReadOnlyList<string> versions, JsonObject? virtualService, JsonObject? destinationRule, JsonObject? peerAuthentication)
    {
        Service = service;
        Namespace = @namespace;
        Versions = versions;
        VirtualService = virtualService;
        DestinationRule = destinationRule;
        PeerAuthentication = peerAuthentication;
    }

    public string Service { get; }

    public string Namespace { get; }

    /// <summary>The versions of the service's workloads in the app model.</summary>
    public IReadOnlyList<string> Versions { get; }

    public JsonObject? VirtualService { get; }

    public JsonObject? DestinationRule { get; }

    public JsonObject? PeerAuthentication { get; }

    public static async Task<ServiceRouting> ReadAsync(MeshAdminApi api, string service, string @namespace, IReadOnlyList<string> versions, CancellationToken cancellationToken)
    {
        var virtualService = await api.GetAsync("virtualservice", @namespace, service, cancellationToken);
        var destinationRule = (await api.ListAsync("destinationrule", @namespace, cancellationToken))
            .FirstOrDefault(rule => IsHost(rule["spec"]?["host"].Text(), service, @namespace));
        var peerAuthentication = await api.GetAsync("peerauthentication", @namespace, service, cancellationToken);
        return new ServiceRouting(service, @namespace, versions, virtualService, destinationRule, peerAuthentication);
    }

    /// <summary>The subset of the DestinationRule that selects <paramref name="version"/>, or null.</summary>
    public string? SubsetOf(string version) =>
        DestinationRule?["spec"]?["subsets"]?.AsArray()
            .FirstOrDefault(s => s?["labels"]?["version"].Text() == version && (s["labels"]!.AsObject().Count == 1))?["name"].Text();

    /// <summary>
    /// Why the dashboard must not replace the VirtualService (it would lose rules a user wrote), or
    /// null when it may: none exists, the dashboard applied it, or it only splits by weight.
    /// </summary>
    public string? WhyNotEditable()
    {
        if (VirtualService is null || DashboardConfig.IsAppliedByDashboard(VirtualService))
        {
            return null;
        }

        var spec = VirtualService["spec"]?.AsObject();
        var http = spec?["http"]?.AsArray();
        var simple = spec is not null
            && spec.All(p => p.Key is "hosts" or "http")
            && http is { Count: 1 }
            && http[0] is JsonObject route
            && route.All(p => p.Key is "route" or "fault")
            && route["route"]?.AsArray().All(d => IsHost(d?["destination"]?["host"].Text(), Service, Namespace) && d?["destination"]?["subset"] is not null) == true;
        return simple
            ? null
            : $"VirtualService {Namespace}/{Service} has rules the dashboard would lose (matches, several routes or other fields); change it with meshctl, or delete it first";
    }

    /// <summary>Version → weight as the mesh routes today: the VirtualService's split, else every version alike.</summary>
    public IReadOnlyDictionary<string, int> CurrentWeights()
    {
        var routes = VirtualService?["spec"]?["http"]?[0]?["route"]?.AsArray();
        if (routes is null || routes.Count == 0 || routes.Any(r => r?["destination"]?["subset"] is null))
        {
            // No split by subset: the service's endpoints alike, whatever their version.
            return TrafficWeights.Even(Versions);
        }

        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var destination in routes)
        {
            var subset = destination?["destination"]?["subset"].Text();
            var version = Versions.FirstOrDefault(v => SubsetOf(v) == subset) ?? subset;
            if (version is not null)
            {
                weights[version] = weights.GetValueOrDefault(version) + (destination?["weight"].Number() ?? (routes.Count == 1 ? 100 : 0));
            }
        }

        return weights;
    }

    /// <summary>The destinations of the VirtualService's route as they are (the service itself when there is none).</summary>
    public IReadOnlyList<(string? Subset, int? Weight)> CurrentRoutes()
    {
        var routes = VirtualService?["spec"]?["http"]?[0]?["route"]?.AsArray();
        return routes is null || routes.Count == 0
            ? [(null, null)]
            : [.. routes.Select(r => (r?["destination"]?["subset"].Text(), r?["weight"].Number()))];
    }

    /// <summary>The fault of the VirtualService's route, if any.</summary>
    public JsonNode? CurrentFault() => VirtualService?["spec"]?["http"]?[0]?["fault"];

    /// <summary>One line for the dashboard's properties, e.g. "v1 50% · v3 50%; fault: abort 500 (100%)".</summary>
    public string Summary()
    {
        var routing = VirtualService is null
            ? "every version alike (no VirtualService)"
            : WhyNotEditable() is not null
                ? $"by VirtualService {Namespace}/{Service} (rules)"
                : CurrentRoutes().Any(r => r.Subset is null)
                    ? "every version alike"
                    : string.Join(" · ", CurrentWeights().Where(w => w.Value > 0).Select(w => $"{w.Key} {w.Value}%"));
        var fault = CurrentFault() switch
        {
            JsonObject { } f when f["delay"] is { } delay => $"; fault: delay {delay["fixedDelay"]} ({delay["percentage"]?["value"] ?? 100}%)",
            JsonObject { } f when f["abort"] is { } abort => $"; fault: abort {abort["httpStatus"]} ({abort["percentage"]?["value"] ?? 100}%)",
            _ => "",
        };
        return routing + fault;
    }

    private static bool IsHost(string? host, string service, string @namespace) =>
        host == service || host == $"{service}.{@namespace}" || host == $"{service}.{@namespace}.svc" || host == $"{service}.{@namespace}.svc.cluster.local";
}
