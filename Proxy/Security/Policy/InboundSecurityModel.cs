using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security.Authorization;
using Mesh.Proxy.Security.ExtAuthz;
using Mesh.Proxy.Security.Jwt;

namespace Mesh.Proxy.Security.Policy;

/// <summary>
/// The compiled inbound policy of one snapshot: the PeerAuthentication mode of each inbound
/// listener (resolved per port at translation time), the authorization policies and the JWT
/// rules. Attached to the routing model (its feature model), so a request sees the policy of the
/// snapshot it is routed with.
/// </summary>
internal sealed class InboundSecurityModel
{
    public static readonly InboundSecurityModel Default = new([], AuthorizationPolicySet.Empty, JwtRuleSet.Empty, new Dictionary<string, ExtAuthzProviderModel>());

    private readonly MtlsMode[] _modes;

    public InboundSecurityModel(MtlsMode[] modesByListener, AuthorizationPolicySet authorization, JwtRuleSet jwt, IReadOnlyDictionary<string, ExtAuthzProviderModel> extAuthz, AuthorizationPolicySet? tcpAuthorization = null)
    {
        _modes = modesByListener;
        Authorization = authorization;
        Jwt = jwt;
        ExtAuthz = extAuthz;
        TcpAuthorization = tcpAuthorization ?? AuthorizationPolicySet.Empty;
    }

    /// <summary>The external authorizers of the CUSTOM policies, by provider name.</summary>
    public IReadOnlyDictionary<string, ExtAuthzProviderModel> ExtAuthz { get; }

    /// <summary>This model with its ext_authz providers bound to the snapshot's clusters.</summary>
    public InboundSecurityModel Bind(IReadOnlyDictionary<string, UpstreamCluster> clusters) =>
        ExtAuthz.Count == 0 ? this : new(_modes, Authorization, Jwt, ExtAuthz.ToDictionary(p => p.Key, p => p.Value.Bind(clusters), StringComparer.Ordinal), TcpAuthorization);

    public AuthorizationPolicySet Authorization { get; }

    /// <summary>The same policies with Istio's TCP semantics (HTTP-only fields: ALLOW rules skipped, DENY/AUDIT fields ignored).</summary>
    public AuthorizationPolicySet TcpAuthorization { get; }

    public JwtRuleSet Jwt { get; }

    /// <summary>PERMISSIVE, STRICT or DISABLE for connections to this listener (PERMISSIVE unless an inbound policy says otherwise).</summary>
    public MtlsMode ModeFor(MeshListener listener) => (uint)listener.Index < (uint)_modes.Length ? _modes[listener.Index] : MtlsMode.Permissive;
}
