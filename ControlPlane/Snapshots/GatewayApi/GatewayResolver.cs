using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Resolves a Gateway of the mesh's class: which listeners conflict (Istio's and the spec's rules:
/// same port, and TCP/UDP against anything, or HTTP-like listeners with the same hostname; the
/// first listener wins), which the mesh can serve (protocol, TLS), which route kinds each admits,
/// and which of its certificate references resolve (ReferenceGrant for another namespace).
/// </summary>
internal static class GatewayResolver
{
    public static ResolvedGateway Resolve(ConfigResource<KubernetesGatewayConfig> gateway, string className, ReferenceGrants grants)
    {
        var spec = gateway.Spec;
        var accepted = new List<Listener>();
        var listeners = new List<ResolvedListener>();
        for (var i = 0; i < spec.Listeners.Count; i++)
        {
            var listener = spec.Listeners[i];
            var resolved = new ResolvedListener(gateway.Namespace, gateway.Name, i, listener)
            {
                ServerName = GatewayApiNames.ServerName(gateway.Name, gateway.Namespace, listener.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            };
            if (accepted.FirstOrDefault(prior => Conflicts(listener, prior)) is { } prior)
            {
                var reason = ConflictReason(listener, prior);
                listeners.Add(resolved with
                {
                    Conflict = new(reason, $"Listener has a conflict with listener {prior.Name} of the same Gateway ({reason}: port {listener.Port})"),
                    SupportedKinds = SupportedKinds(listener).Kinds,
                });
                continue;
            }

            accepted.Add(listener);
            listeners.Add(Validate(resolved, gateway, grants));
        }

        return new ResolvedGateway(gateway, className, listeners) { Refused = Refusal(spec) };
    }

    private static ResolvedListener Validate(ResolvedListener resolved, ConfigResource<KubernetesGatewayConfig> gateway, ReferenceGrants grants)
    {
        var listener = resolved.Listener;
        var (kinds, kindsValid) = SupportedKinds(listener);
        resolved = resolved with { SupportedKinds = kinds };
        if (!kindsValid)
        {
            resolved = resolved with
            {
                UnresolvedRefs = new("InvalidRouteKinds", $"allowedRoutes.kinds names kinds the listener cannot serve (it serves {string.Join(", ", kinds.Select(k => k.Kind))})"),
            };
        }

        switch (listener.Protocol)
        {
            case "HTTP":
                return resolved;
            case "HTTPS":
                if (listener.Tls is null)
                {
                    return resolved with { UnresolvedRefs = new("InvalidCertificateRef", "an HTTPS listener needs tls.certificateRefs") };
                }

                if (gateway.Spec.Tls?.Frontend is not null)
                {
                    return resolved with { NotAccepted = new("UnsupportedValue", "client certificate validation (spec.tls.frontend) is not supported by the mesh") };
                }

                return Certificate(resolved, gateway, grants);
            case "TCP":
                return resolved;
            case "TLS":
                return (listener.Tls?.Mode ?? TlsModeType.Terminate) == TlsModeType.Terminate ? Certificate(resolved, gateway, grants) : resolved;
            default:
                var upper = listener.Protocol?.ToUpperInvariant();
                var hint = upper is "HTTP" or "HTTPS" or "TCP" or "TLS" && upper != listener.Protocol ? $"; hint: \"{upper}\" (upper case) is supported" : "";
                return resolved with { NotAccepted = new("UnsupportedProtocol", $"protocol \"{listener.Protocol}\" is unsupported{hint}") };
        }
    }

    // Istio terminates with one certificate per listener; a second one (RSA beside ECDSA) is refused by name.
    private static ResolvedListener Certificate(ResolvedListener resolved, ConfigResource<KubernetesGatewayConfig> gateway, ReferenceGrants grants)
    {
        var tls = resolved.Listener.Tls!;
        if (tls.CertificateRefs.Count == 0)
        {
            return resolved with { UnresolvedRefs = new("InvalidCertificateRef", "tls.certificateRefs is empty (tls.options alone cannot terminate TLS)") };
        }

        if (tls.CertificateRefs.Count > 1)
        {
            return resolved with { UnresolvedRefs = new("InvalidCertificateRef", "only one certificateRef per listener is supported") };
        }

        var reference = tls.CertificateRefs[0];
        if ((reference.Group ?? "") != "" || (reference.Kind ?? "Secret") != "Secret")
        {
            return resolved with { UnresolvedRefs = new("InvalidCertificateRef", $"certificateRef {reference.Group}/{reference.Kind} {reference.Name}: only Secrets are supported") };
        }

        var ns = reference.Namespace ?? gateway.Namespace;
        if (!grants.Allows(GatewayApiNames.Group, "Gateway", gateway.Namespace, "", "Secret", ns, reference.Name ?? ""))
        {
            return resolved with { UnresolvedRefs = new("RefNotPermitted", $"certificateRef {ns}/{reference.Name} not accessible to a Gateway in namespace \"{gateway.Namespace}\" (missing a ReferenceGrant?)") };
        }

        return resolved with { CredentialName = reference.Name };
    }

    /// <summary>The route kinds a listener's protocol carries, narrowed by allowedRoutes.kinds; false when that names others.</summary>
    public static (IReadOnlyList<(string Group, string Kind)> Kinds, bool Valid) SupportedKinds(Listener listener)
    {
        (string, string)[] byProtocol = listener.Protocol switch
        {
            "HTTP" or "HTTPS" => [(GatewayApiNames.Group, "HTTPRoute"), (GatewayApiNames.Group, "GRPCRoute")],
            "TCP" => [(GatewayApiNames.Group, "TCPRoute")],
            "TLS" when (listener.Tls?.Mode ?? TlsModeType.Terminate) == TlsModeType.Terminate => [(GatewayApiNames.Group, "TLSRoute"), (GatewayApiNames.Group, "TCPRoute")],
            "TLS" => [(GatewayApiNames.Group, "TLSRoute")],
            _ => [],
        };
        var wanted = listener.AllowedRoutes?.Kinds ?? [];
        if (wanted.Count == 0)
        {
            return (byProtocol, true);
        }

        var kinds = byProtocol.Where(k => wanted.Any(w => (w.Group ?? GatewayApiNames.Group) == k.Item1 && w.Kind == k.Item2)).ToList();
        return (kinds, kinds.Count == wanted.Count);
    }

    // What the mesh cannot honour on the Gateway as a whole.
    private static GatewayApiProblem? Refusal(KubernetesGatewayConfig spec) =>
        spec.Addresses.Count > 0 ? new("UnsupportedAddress", "spec.addresses is not supported: the mesh provisions each Gateway's proxy and reports its address")
        : spec.Infrastructure?.ParametersRef is not null ? new("InvalidParameters", "spec.infrastructure.parametersRef is not supported")
        : spec.AllowedListeners is not null ? new("UnsupportedValue", "spec.allowedListeners (ListenerSets) is not supported")
        : spec.Tls?.Backend is not null ? new("UnsupportedValue", "spec.tls.backend is not supported: the gateway reaches meshed backends with its own mTLS identity")
        : null;

    private static bool Conflicts(Listener a, Listener b)
    {
        if (a.Port != b.Port)
        {
            return false;
        }

        if (IsL4(a.Protocol) || IsL4(b.Protocol))
        {
            return true;
        }

        return IsHttpLike(a.Protocol) && IsHttpLike(b.Protocol) ? (a.Hostname ?? "*") == (b.Hostname ?? "*") : a.Protocol == b.Protocol;
    }

    private static string ConflictReason(Listener a, Listener b) =>
        (IsL4(a.Protocol) && IsL4(b.Protocol)) || a.Protocol != b.Protocol ? "ProtocolConflict" : "HostnameConflict";

    private static bool IsL4(string? protocol) => protocol is "TCP" or "UDP";

    private static bool IsHttpLike(string? protocol) => protocol is "HTTP" or "HTTPS" or "TLS";
}
