using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Security.Authorization;
using Mesh.Proxy.Security.ExtAuthz;
using Mesh.Proxy.Security.Jwt;

namespace Mesh.Proxy.Security.Policy;

/// <summary>
/// Compiles <c>ProxySnapshot.inbound</c>: per inbound listener its mTLS mode (port-level mode for
/// the workload port, or the service port — locally apps listen on allocated ports while policies
/// name the service port — else the workload mode; unset = PERMISSIVE), authorization and JWT rules.
/// </summary>
internal static class InboundSecurityTranslator
{
    public static InboundSecurityModel Translate(ProxySnapshot snapshot, ListenerSet listeners, TranslationErrors errors)
    {
        if (snapshot.Inbound is not { } inbound)
        {
            return InboundSecurityModel.Default;
        }

        var modes = new MtlsMode[listeners.All.Count];
        foreach (var listener in listeners.All)
        {
            var mode = listener.Kind != ListenerKind.Inbound ? MtlsMode.Permissive
                : inbound.PortMtls.TryGetValue((uint)listener.TargetPort, out var byTarget) ? byTarget
                : inbound.PortMtls.TryGetValue((uint)listener.ServicePort, out var byService) ? byService
                : inbound.Mtls;
            modes[listener.Index] = mode == MtlsMode.MtlsUnspecified ? MtlsMode.Permissive : mode;
        }

        if (snapshot.TrustBundlePem.Count == 0 && (inbound.Mtls == MtlsMode.Strict || inbound.PortMtls.Values.Contains(MtlsMode.Strict)))
        {
            // Without a mesh CA no caller could present a certificate: STRICT would refuse everything.
            errors.Add("inbound.mtls", "STRICT mutual TLS needs the mesh CA's trust bundle, which this snapshot does not carry");
        }

        return new InboundSecurityModel(
            modes,
            AuthorizationTranslator.Translate(inbound.Authorization, "inbound.authorization", errors),
            JwtTranslator.Translate(inbound.JwtRules, "inbound.jwt_rules", errors),
            ExtAuthzTranslator.Translate(snapshot, "inbound.ext_authz", errors),
            TcpAuthorizationRules.Translate(inbound.Authorization));
    }
}
