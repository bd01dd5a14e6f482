using Mesh.Config.Model.Core;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Model.MeshConfiguration;
using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Model;

/// <summary>The kinds Mesh understands, and lookups by name, plural or short name.</summary>
public static class ConfigKinds
{
    public const string NetworkingGroup = "networking.istio.io";
    public const string SecurityGroup = "security.istio.io";
    public const string TelemetryGroup = "telemetry.istio.io";
    public const string GatewayApiGroup = "gateway.networking.k8s.io";

    /// <summary>Kubernetes' core group (Service): its apiVersion is just <c>v1</c>.</summary>
    public const string CoreGroup = "";

    private static readonly string[] NetworkingVersions = ["v1", "v1beta1", "v1alpha3"];
    private static readonly string[] SecurityVersions = ["v1", "v1beta1"];
    private static readonly string[] TelemetryVersions = ["v1", "v1alpha1"];

    public static ConfigKind VirtualService { get; } = new("VirtualService", NetworkingGroup, NetworkingVersions, "virtualservices", ["vs"], typeof(VirtualServiceConfig));
    public static ConfigKind DestinationRule { get; } = new("DestinationRule", NetworkingGroup, NetworkingVersions, "destinationrules", ["dr"], typeof(DestinationRuleConfig));
    public static ConfigKind Gateway { get; } = new("Gateway", NetworkingGroup, NetworkingVersions, "gateways", ["gw"], typeof(GatewayConfig));
    public static ConfigKind ServiceEntry { get; } = new("ServiceEntry", NetworkingGroup, NetworkingVersions, "serviceentries", ["se"], typeof(ServiceEntryConfig));
    public static ConfigKind Sidecar { get; } = new("Sidecar", NetworkingGroup, NetworkingVersions, "sidecars", [], typeof(SidecarConfig));
    public static ConfigKind WorkloadEntry { get; } = new("WorkloadEntry", NetworkingGroup, NetworkingVersions, "workloadentries", ["we"], typeof(WorkloadEntryConfig));
    public static ConfigKind WorkloadGroup { get; } = new("WorkloadGroup", NetworkingGroup, NetworkingVersions, "workloadgroups", ["wg"], typeof(WorkloadGroupConfig));
    public static ConfigKind PeerAuthentication { get; } = new("PeerAuthentication", SecurityGroup, SecurityVersions, "peerauthentications", ["pa"], typeof(PeerAuthenticationConfig));
    public static ConfigKind AuthorizationPolicy { get; } = new("AuthorizationPolicy", SecurityGroup, SecurityVersions, "authorizationpolicies", ["ap"], typeof(AuthorizationPolicyConfig));
    public static ConfigKind RequestAuthentication { get; } = new("RequestAuthentication", SecurityGroup, SecurityVersions, "requestauthentications", ["ra"], typeof(RequestAuthenticationConfig));
    public static ConfigKind Telemetry { get; } = new("Telemetry", TelemetryGroup, TelemetryVersions, "telemetries", ["telemetry"], typeof(TelemetryConfig));

    // The Kubernetes Gateway API: v1 where the API has made the kind standard, and the older
    // versions its CRDs still serve (or served) so existing YAML applies. The first version is the
    // one written and watched; ReferenceGrant's is v1beta1, what every install of the CRDs serves.
    public static ConfigKind GatewayClass { get; } = new("GatewayClass", GatewayApiGroup, ["v1", "v1beta1"], "gatewayclasses", ["gc"], typeof(GatewayClassConfig)) { ClusterScoped = true };
    public static ConfigKind KubernetesGateway { get; } = new("Gateway", GatewayApiGroup, ["v1", "v1beta1"], "gateways", ["gtw"], typeof(KubernetesGatewayConfig)) { Id = "Gateway." + GatewayApiGroup };
    public static ConfigKind HttpRoute { get; } = new("HTTPRoute", GatewayApiGroup, ["v1", "v1beta1"], "httproutes", [], typeof(HttpRouteConfig));
    public static ConfigKind GrpcRoute { get; } = new("GRPCRoute", GatewayApiGroup, ["v1", "v1alpha2"], "grpcroutes", [], typeof(GrpcRouteConfig));
    public static ConfigKind ReferenceGrant { get; } = new("ReferenceGrant", GatewayApiGroup, ["v1beta1", "v1", "v1alpha2"], "referencegrants", ["refgrant"], typeof(ReferenceGrantConfig));
    public static ConfigKind TcpRoute { get; } = new("TCPRoute", GatewayApiGroup, ["v1", "v1alpha2"], "tcproutes", [], typeof(TcpRouteConfig));
    public static ConfigKind TlsRoute { get; } = new("TLSRoute", GatewayApiGroup, ["v1", "v1alpha3", "v1alpha2"], "tlsroutes", [], typeof(TlsRouteConfig));

    /// <summary>Kubernetes' Service: per-version Services (<c>reviews-v1</c>) name workloads by label selector.</summary>
    public static ConfigKind Service { get; } = new("Service", CoreGroup, ["v1"], "services", ["svc"], typeof(KubernetesServiceConfig));

    /// <summary>
    /// Istio's mesh config: the ConfigMap <c>istio</c> in <c>istio-system</c>, whose <c>data.mesh</c>
    /// holds a MeshConfig (extension providers). No other ConfigMap is mesh configuration.
    /// </summary>
    public static ConfigKind MeshConfigMap { get; } = new("ConfigMap", CoreGroup, ["v1"], "configmaps", ["cm"], typeof(IstioMeshConfigMap)) { SpecField = "data" };

    /// <summary>Every supported kind: Istio's, networking first (the order <c>meshctl get all</c> lists them), then the Gateway API's, then Service.</summary>
    public static IReadOnlyList<ConfigKind> All { get; } =
    [
        VirtualService, DestinationRule, Gateway, ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup,
        PeerAuthentication, AuthorizationPolicy, RequestAuthentication, Telemetry,
        GatewayClass, KubernetesGateway, HttpRoute, GrpcRoute, ReferenceGrant, TcpRoute, TlsRoute,
        Service, MeshConfigMap,
    ];

    /// <summary>Istio's kinds: the ones whose CRDs the mesh defines (Kubernetes publishing).</summary>
    public static IReadOnlyList<ConfigKind> Istio { get; } = [.. All.Where(k => k.IsIstio)];

    /// <summary>The Gateway API kinds.</summary>
    public static IReadOnlyList<ConfigKind> GatewayApi { get; } = [.. All.Where(k => k.Group == GatewayApiGroup)];

    /// <summary>
    /// Resolves a kind written by a user: the kind itself, its plural, singular lower-case or a
    /// short name (<c>vs</c>, <c>dr</c>, <c>gw</c>, <c>se</c>, <c>we</c>, <c>wg</c>, <c>pa</c>, <c>ap</c>, <c>ra</c>,
    /// <c>gtw</c>, <c>svc</c>), case-insensitively, optionally qualified by group
    /// (<c>virtualservices.networking.istio.io</c>, <c>gateways.gateway.networking.k8s.io</c>).
    /// Where two groups share a name (<c>Gateway</c>) the unqualified name means Istio's, as for
    /// istioctl; the Gateway API's is <c>gtw</c> or the qualified name.
    /// </summary>
    public static bool TryParse(string? text, out ConfigKind kind)
    {
        kind = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var name = text.Trim();
        foreach (var candidate in All)
        {
            if (Matches(candidate, name) || (candidate.Group.Length > 0 && name.EndsWith("." + candidate.Group, StringComparison.OrdinalIgnoreCase)
                && Matches(candidate, name[..^(candidate.Group.Length + 1)])))
            {
                kind = candidate;
                return true;
            }
        }

        return false;
    }

    /// <summary>Like <see cref="TryParse"/>, for callers that already know the name is valid.</summary>
    public static ConfigKind? Find(string? text) => TryParse(text, out var kind) ? kind : null;

    /// <summary>The kind with exactly this <see cref="ConfigKind.Id"/> (<see cref="ConfigObject.Kind"/>).</summary>
    public static ConfigKind? FindExact(string id) => All.FirstOrDefault(k => k.Id == id);

    /// <summary>The kind a document declares: its <c>kind:</c> within the group of its <c>apiVersion</c>.</summary>
    public static ConfigKind? FindDocumentKind(string? apiVersion, string kindName)
    {
        var sameName = All.Where(k => k.Kind == kindName).ToList();
        if (sameName.Count <= 1 || apiVersion is null)
        {
            return sameName.FirstOrDefault();
        }

        var group = ConfigKind.GroupOf(apiVersion);
        return sameName.FirstOrDefault(k => k.Group == group) ?? sameName[0];
    }

    private static bool Matches(ConfigKind kind, string name) =>
        string.Equals(kind.Kind, name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(kind.Id, name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(kind.Plural, name, StringComparison.OrdinalIgnoreCase)
        || kind.ShortNames.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
}
