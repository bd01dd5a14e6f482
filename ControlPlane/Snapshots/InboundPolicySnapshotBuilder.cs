using Mesh.Config.Model;
using Mesh.Config.Model.Common;
using Mesh.Config.Model.Security;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// The inbound policy of a sidecar, resolved as Istio does: PeerAuthentication by precedence
/// (workload selector &gt; namespace &gt; root namespace; UNSET inherits; default PERMISSIVE;
/// portLevelMtls from the workload policy), and the AuthorizationPolicies and
/// RequestAuthentications of the root namespace and the workload's namespace whose selector
/// matches the workload.
/// </summary>
internal static class InboundPolicySnapshotBuilder
{
    public static Wire.InboundPolicy Build(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings) =>
        Build(Selecting(model, node, nodeNamespace, settings), settings);

    /// <summary>
    /// The policies that apply to the node: all its inbound policy depends on, with the settings'
    /// trust domain (<see cref="NodePolicyPieces"/> shares a build by them).
    /// </summary>
    public static InboundPolicies Selecting(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings)
    {
        var (mesh, ns, workload) = PeerAuthentications(model, node, nodeNamespace, settings);
        return new InboundPolicies(
            mesh,
            ns,
            workload,
            [.. model.AuthorizationPolicies.Where(p => Applies(p.Namespace, p.Spec.Selector, node, nodeNamespace, settings))],
            [.. model.RequestAuthentications.Where(p => Applies(p.Namespace, p.Spec.Selector, node, nodeNamespace, settings))]);
    }

    /// <summary>The inbound policy of <paramref name="policies"/> (<see cref="Selecting"/>).</summary>
    public static Wire.InboundPolicy Build(InboundPolicies policies, MeshSettings settings)
    {
        var policy = new Wire.InboundPolicy();
        var mode = ModeOf(policies.Mesh, policies.Namespace, policies.Workload);
        policy.Mtls = mode;
        if (policies.Workload is { } workload)
        {
            foreach (var (port, mtls) in workload.Spec.PortLevelMtls.OrderBy(p => uint.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture)))
            {
                policy.PortMtls[uint.Parse(port, System.Globalization.CultureInfo.InvariantCulture)] = Mode(mtls.Mode) ?? mode;
            }
        }

        foreach (var authorization in policies.Authorizations)
        {
            policy.Authorization.Add(Authorization(authorization, settings));
        }

        foreach (var authentication in policies.Authentications)
        {
            foreach (var rule in authentication.Spec.JwtRules)
            {
                policy.JwtRules.Add(JwtRule(rule, authentication.QualifiedName));
            }
        }

        return policy;
    }

    /// <summary>
    /// The mTLS mode a workload accepts on one port (port-level mode for its workload port, or its
    /// service port, else the workload's mode). Auto mTLS originates plaintext to DISABLE peers, as Istio's does.
    /// </summary>
    public static Wire.MtlsMode ModeFor(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings, uint targetPort, uint servicePort)
    {
        if (model.PeerAuthentications.IsEmpty)
        {
            return Wire.MtlsMode.Permissive;
        }

        var (mode, workload) = PeerAuthentication(model, node, nodeNamespace, settings);
        if (workload is not null)
        {
            foreach (var port in new[] { targetPort, servicePort })
            {
                if (workload.Spec.PortLevelMtls.TryGetValue(port.ToString(System.Globalization.CultureInfo.InvariantCulture), out var mtls))
                {
                    return Mode(mtls.Mode) ?? mode;
                }
            }
        }

        return mode;
    }

    private static (Wire.MtlsMode Mode, ConfigResource<PeerAuthenticationConfig>? Workload) PeerAuthentication(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings)
    {
        var (mesh, ns, workload) = PeerAuthentications(model, node, nodeNamespace, settings);
        return (ModeOf(mesh, ns, workload), workload);
    }

    // The PeerAuthentications that apply: the root namespace's, the workload namespace's, the one selecting the workload.
    private static (ConfigResource<PeerAuthenticationConfig>? Mesh, ConfigResource<PeerAuthenticationConfig>? Namespace, ConfigResource<PeerAuthenticationConfig>? Workload) PeerAuthentications(
        MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings) =>
        (model.PeerAuthentications.FirstOrDefault(p => p.Namespace == settings.RootNamespace && IsNamespaceWide(p.Spec.Selector)),
         model.PeerAuthentications.FirstOrDefault(p => p.Namespace == nodeNamespace && IsNamespaceWide(p.Spec.Selector)),
         model.PeerAuthentications.FirstOrDefault(p => p.Namespace == nodeNamespace && !IsNamespaceWide(p.Spec.Selector) && p.Spec.Selector!.Matches(node.Labels)));

    // Precedence: workload selector > namespace > root namespace; UNSET inherits; default PERMISSIVE.
    private static Wire.MtlsMode ModeOf(params ConfigResource<PeerAuthenticationConfig>?[] levels)
    {
        var mode = Wire.MtlsMode.Permissive;
        foreach (var level in levels)
        {
            if (Mode(level?.Spec.Mtls?.Mode) is { } resolved)
            {
                mode = resolved;
            }
        }

        return mode;
    }

    private static bool IsNamespaceWide(WorkloadSelector? selector) => selector is null || selector.MatchLabels.Count == 0;

    private static bool Applies(string policyNamespace, WorkloadSelector? selector, Wire.Node node, string nodeNamespace, MeshSettings settings) =>
        (policyNamespace == settings.RootNamespace || policyNamespace == nodeNamespace)
        && (selector is null || selector.Matches(node.Labels));

    private static Wire.MtlsMode? Mode(MutualTlsMode? mode) => mode switch
    {
        MutualTlsMode.Permissive => Wire.MtlsMode.Permissive,
        MutualTlsMode.Strict => Wire.MtlsMode.Strict,
        MutualTlsMode.Disable => Wire.MtlsMode.Disable,
        _ => null, // UNSET or absent: inherit
    };

    private static Wire.AuthorizationPolicy Authorization(ConfigResource<AuthorizationPolicyConfig> resource, MeshSettings settings)
    {
        var spec = resource.Spec;
        var result = new Wire.AuthorizationPolicy
        {
            Name = resource.QualifiedName,
            Action = spec.Action switch
            {
                AuthorizationAction.Deny => Wire.AuthorizationPolicy.Types.Action.Deny,
                AuthorizationAction.Audit => Wire.AuthorizationPolicy.Types.Action.Audit,
                AuthorizationAction.Custom => Wire.AuthorizationPolicy.Types.Action.Custom,
                _ => Wire.AuthorizationPolicy.Types.Action.Allow,
            },
            HasRules = spec.Rules.Count > 0,
            Provider = spec.Action == AuthorizationAction.Custom ? spec.Provider?.Name ?? "" : "",
        };
        foreach (var rule in spec.Rules)
        {
            var translated = new Wire.AuthorizationRule();
            foreach (var source in rule.From.Select(f => f.Source).OfType<Source>())
            {
                var from = new Wire.AuthorizationSource();
                var principals = source.Principals.Concat(source.ServiceAccounts.Select(a => Principal(a, resource.Namespace, settings))).ToList();
                from.Principals.AddRange(source.TrustDomains.Count == 0 ? principals : TrustDomains.Intersect(principals, source.TrustDomains) ?? []);
                from.NotPrincipals.AddRange(source.NotPrincipals.Concat(source.NotServiceAccounts.Select(a => Principal(a, resource.Namespace, settings))));
                from.NotPrincipals.AddRange(source.NotTrustDomains.Select(TrustDomains.AsPrincipalPattern).OfType<string>());
                from.RequestPrincipals.AddRange(source.RequestPrincipals);
                from.NotRequestPrincipals.AddRange(source.NotRequestPrincipals);
                from.Namespaces.AddRange(source.Namespaces);
                from.NotNamespaces.AddRange(source.NotNamespaces);
                from.IpBlocks.AddRange(source.IpBlocks);
                from.NotIpBlocks.AddRange(source.NotIpBlocks);
                from.RemoteIpBlocks.AddRange(source.RemoteIpBlocks);
                from.NotRemoteIpBlocks.AddRange(source.NotRemoteIpBlocks);
                translated.From.Add(from);
            }

            foreach (var operation in rule.To.Select(t => t.Operation).OfType<Operation>())
            {
                var to = new Wire.AuthorizationOperation();
                to.Hosts.AddRange(operation.Hosts);
                to.NotHosts.AddRange(operation.NotHosts);
                to.Ports.AddRange(operation.Ports);
                to.NotPorts.AddRange(operation.NotPorts);
                to.Methods.AddRange(operation.Methods);
                to.NotMethods.AddRange(operation.NotMethods);
                to.Paths.AddRange(operation.Paths);
                to.NotPaths.AddRange(operation.NotPaths);
                translated.To.Add(to);
            }

            foreach (var condition in rule.When)
            {
                translated.When.Add(Condition(condition, resource.Namespace, settings));
            }

            result.Rules.Add(translated);
        }

        return result;
    }

    // The proxy knows the peer's principal only: source.serviceAccount and source.trustDomain
    // conditions become source.principal conditions.
    private static Wire.AuthorizationCondition Condition(Condition condition, string policyNamespace, MeshSettings settings)
    {
        var (key, map) = condition.Key switch
        {
            "source.serviceAccount" => ("source.principal", (Func<string, string?>)(a => Principal(a, policyNamespace, settings))),
            "source.trustDomain" => ("source.principal", TrustDomains.AsPrincipalPattern),
            var other => (other ?? "", v => v),
        };
        var when = new Wire.AuthorizationCondition { Key = key };
        when.Values.AddRange(condition.Values.Select(map).OfType<string>());
        when.NotValues.AddRange(condition.NotValues.Select(map).OfType<string>());
        return when;
    }

    // Istio's serviceAccounts "ns/name" are the principal "<trust domain>/ns/<ns>/sa/<name>"; a
    // bare "name" is an account of the policy's namespace.
    private static string Principal(string serviceAccount, string policyNamespace, MeshSettings settings)
    {
        var slash = serviceAccount.IndexOf('/');
        var (ns, name) = slash < 0 ? (policyNamespace, serviceAccount) : (serviceAccount[..slash], serviceAccount[(slash + 1)..]);
        return $"{settings.TrustDomain}/ns/{ns}/sa/{name}";
    }

    private static Wire.JwtRule JwtRule(JwtRuleConfig rule, string policyName)
    {
        var result = new Wire.JwtRule
        {
            Issuer = rule.Issuer ?? "",
            Jwks = rule.Jwks ?? "",
            JwksUri = rule.JwksUri ?? "",
            OutputPayloadToHeader = rule.OutputPayloadToHeader ?? "",
            ForwardOriginalToken = rule.ForwardOriginalToken ?? false,
            Policy = policyName,
        };
        result.Audiences.AddRange(rule.Audiences);
        result.FromHeaders.AddRange(rule.FromHeaders.Select(h => new Wire.JwtHeader { Name = h.Name ?? "", Prefix = h.Prefix ?? "" }));
        result.FromParams.AddRange(rule.FromParams);
        result.FromCookies.AddRange(rule.FromCookies);
        result.OutputClaimToHeaders.AddRange(rule.OutputClaimToHeaders.Select(c => new Wire.ClaimToHeader { Header = c.Header ?? "", Claim = c.Claim ?? "" }));
        return result;
    }
}

/// <summary>The policies that apply to one workload (<see cref="InboundPolicySnapshotBuilder.Selecting"/>), in the order they apply.</summary>
internal sealed record InboundPolicies(
    ConfigResource<PeerAuthenticationConfig>? Mesh,
    ConfigResource<PeerAuthenticationConfig>? Namespace,
    ConfigResource<PeerAuthenticationConfig>? Workload,
    ConfigResource<AuthorizationPolicyConfig>[] Authorizations,
    ConfigResource<RequestAuthenticationConfig>[] Authentications);
