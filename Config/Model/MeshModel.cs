using System.Collections.Immutable;
using Mesh.Config.Model.Core;
using Mesh.Config.Model.GatewayApi;
using Mesh.Config.Model.MeshConfiguration;
using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Model;

/// <summary>
/// The accepted mesh configuration at one point in time. Immutable: every accepted change
/// produces a new model with a higher <see cref="Generation"/>. The typed accessors list the
/// objects of one kind in Istio's precedence order: by name, then namespace (Istio orders by
/// creation time first; a locally loaded store has none, so name order decides).
/// </summary>
public sealed class MeshModel
{
    public static MeshModel Empty { get; } = new(0, []);

    private readonly Lazy<ImmutableArray<ConfigResource<VirtualServiceConfig>>> _virtualServices;
    private readonly Lazy<ImmutableArray<ConfigResource<DestinationRuleConfig>>> _destinationRules;
    private readonly Lazy<ImmutableArray<ConfigResource<GatewayConfig>>> _gateways;
    private readonly Lazy<ImmutableArray<ConfigResource<ServiceEntryConfig>>> _serviceEntries;
    private readonly Lazy<ImmutableArray<ConfigResource<SidecarConfig>>> _sidecars;
    private readonly Lazy<ImmutableArray<ConfigResource<WorkloadEntryConfig>>> _workloadEntries;
    private readonly Lazy<ImmutableArray<ConfigResource<WorkloadGroupConfig>>> _workloadGroups;
    private readonly Lazy<ImmutableArray<ConfigResource<PeerAuthenticationConfig>>> _peerAuthentications;
    private readonly Lazy<ImmutableArray<ConfigResource<AuthorizationPolicyConfig>>> _authorizationPolicies;
    private readonly Lazy<ImmutableArray<ConfigResource<RequestAuthenticationConfig>>> _requestAuthentications;
    private readonly Lazy<ImmutableArray<ConfigResource<TelemetryConfig>>> _telemetries;
    private readonly Lazy<ImmutableArray<ConfigResource<GatewayClassConfig>>> _gatewayClasses;
    private readonly Lazy<ImmutableArray<ConfigResource<KubernetesGatewayConfig>>> _kubernetesGateways;
    private readonly Lazy<ImmutableArray<ConfigResource<HttpRouteConfig>>> _httpRoutes;
    private readonly Lazy<ImmutableArray<ConfigResource<GrpcRouteConfig>>> _grpcRoutes;
    private readonly Lazy<ImmutableArray<ConfigResource<ReferenceGrantConfig>>> _referenceGrants;
    private readonly Lazy<ImmutableArray<ConfigResource<TcpRouteConfig>>> _tcpRoutes;
    private readonly Lazy<ImmutableArray<ConfigResource<TlsRouteConfig>>> _tlsRoutes;
    private readonly Lazy<ImmutableArray<ConfigResource<KubernetesServiceConfig>>> _services;
    private static readonly MeshNetworks NoNetworks = new();
    private readonly Lazy<MeshConfig> _meshConfig;

    public MeshModel(long generation, ImmutableArray<ConfigObject> objects)
    {
        Generation = generation;
        Objects = objects.IsDefault ? [] : objects;
        _virtualServices = new(OfKind<VirtualServiceConfig>);
        _destinationRules = new(OfKind<DestinationRuleConfig>);
        _gateways = new(OfKind<GatewayConfig>);
        _serviceEntries = new(OfKind<ServiceEntryConfig>);
        _sidecars = new(OfKind<SidecarConfig>);
        _workloadEntries = new(OfKind<WorkloadEntryConfig>);
        _workloadGroups = new(OfKind<WorkloadGroupConfig>);
        _peerAuthentications = new(OfKind<PeerAuthenticationConfig>);
        _authorizationPolicies = new(OfKind<AuthorizationPolicyConfig>);
        _requestAuthentications = new(OfKind<RequestAuthenticationConfig>);
        _telemetries = new(OfKind<TelemetryConfig>);
        _gatewayClasses = new(OfKind<GatewayClassConfig>);
        _kubernetesGateways = new(OfKind<KubernetesGatewayConfig>);
        _httpRoutes = new(OfKind<HttpRouteConfig>);
        _grpcRoutes = new(OfKind<GrpcRouteConfig>);
        _referenceGrants = new(OfKind<ReferenceGrantConfig>);
        _tcpRoutes = new(OfKind<TcpRouteConfig>);
        _tlsRoutes = new(OfKind<TlsRouteConfig>);
        _services = new(OfKind<KubernetesServiceConfig>);
        _meshConfig = new(() => Objects.Select(o => o.Spec).OfType<IstioMeshConfigMap>().FirstOrDefault()?.Mesh ?? new MeshConfig());
    }

    public long Generation { get; }

    public ImmutableArray<ConfigObject> Objects { get; }

    public ImmutableArray<ConfigResource<VirtualServiceConfig>> VirtualServices => _virtualServices.Value;

    public ImmutableArray<ConfigResource<DestinationRuleConfig>> DestinationRules => _destinationRules.Value;

    public ImmutableArray<ConfigResource<GatewayConfig>> Gateways => _gateways.Value;

    public ImmutableArray<ConfigResource<ServiceEntryConfig>> ServiceEntries => _serviceEntries.Value;

    public ImmutableArray<ConfigResource<SidecarConfig>> Sidecars => _sidecars.Value;

    /// <summary>WorkloadEntry objects (workloads outside the mesh's hosts: VMs), written or auto-registered.</summary>
    public ImmutableArray<ConfigResource<WorkloadEntryConfig>> WorkloadEntries => _workloadEntries.Value;

    public ImmutableArray<ConfigResource<WorkloadGroupConfig>> WorkloadGroups => _workloadGroups.Value;

    public ImmutableArray<ConfigResource<PeerAuthenticationConfig>> PeerAuthentications => _peerAuthentications.Value;

    public ImmutableArray<ConfigResource<AuthorizationPolicyConfig>> AuthorizationPolicies => _authorizationPolicies.Value;

    public ImmutableArray<ConfigResource<RequestAuthenticationConfig>> RequestAuthentications => _requestAuthentications.Value;

    public ImmutableArray<ConfigResource<TelemetryConfig>> Telemetries => _telemetries.Value;

    public ImmutableArray<ConfigResource<GatewayClassConfig>> GatewayClasses => _gatewayClasses.Value;

    /// <summary>The Gateway API's Gateways (not Istio's, which are <see cref="Gateways"/>).</summary>
    public ImmutableArray<ConfigResource<KubernetesGatewayConfig>> KubernetesGateways => _kubernetesGateways.Value;

    public ImmutableArray<ConfigResource<HttpRouteConfig>> HttpRoutes => _httpRoutes.Value;

    public ImmutableArray<ConfigResource<GrpcRouteConfig>> GrpcRoutes => _grpcRoutes.Value;

    public ImmutableArray<ConfigResource<ReferenceGrantConfig>> ReferenceGrants => _referenceGrants.Value;

    public ImmutableArray<ConfigResource<TcpRouteConfig>> TcpRoutes => _tcpRoutes.Value;

    public ImmutableArray<ConfigResource<TlsRouteConfig>> TlsRoutes => _tlsRoutes.Value;

    /// <summary>Kubernetes Services given as configuration (per-version Services such as <c>reviews-v1</c>).</summary>
    public ImmutableArray<ConfigResource<KubernetesServiceConfig>> Services => _services.Value;

    /// <summary>Istio's mesh config (ConfigMap istio in istio-system); empty when there is none.</summary>
    public MeshConfig MeshConfig => _meshConfig.Value;

    /// <summary>Istio's meshNetworks (the same ConfigMap's <c>meshNetworks</c>); empty when there is none.</summary>
    public MeshNetworks MeshNetworks => Objects.Select(o => o.Spec).OfType<IstioMeshConfigMap>().FirstOrDefault()?.MeshNetworks ?? NoNetworks;

    private ImmutableArray<ConfigResource<TSpec>> OfKind<TSpec>() where TSpec : class =>
        [
            .. Objects
                .Where(o => o.Spec is TSpec)
                .OrderBy(o => o.Metadata.Name, StringComparer.Ordinal)
                .ThenBy(o => o.Metadata.Namespace, StringComparer.Ordinal)
                .Select(o => new ConfigResource<TSpec>(o, (TSpec)o.Spec)),
        ];
}
