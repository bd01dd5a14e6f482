using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>A Gateway of the mesh's class, its listeners resolved: what it serves and why not where it does not.</summary>
internal sealed record ResolvedGateway(ConfigResource<KubernetesGatewayConfig> Gateway, string ClassName, IReadOnlyList<ResolvedListener> Listeners)
{
    /// <summary>Why the Gateway as a whole is not accepted (unsupported addresses, parameters...), or null.</summary>
    public GatewayApiProblem? Refused { get; init; }

    public string Key => $"{Gateway.Namespace}/{Gateway.Name}";

    /// <summary>Accepted and with at least one listener that can serve.</summary>
    public bool Serves => Refused is null && Listeners.Any(l => l.Programmable);
}

/// <summary>One listener of a <see cref="ResolvedGateway"/>.</summary>
internal sealed record ResolvedListener(string GatewayNamespace, string GatewayName, int Index, Listener Listener)
{
    public string Name => Listener.Name ?? "";

    public uint Port => (uint)(Listener.Port ?? 0);

    public string Protocol => Listener.Protocol ?? "";

    /// <summary>The listener's hostname, or <c>*</c> when it has none.</summary>
    public string Hostname => string.IsNullOrEmpty(Listener.Hostname) ? "*" : Listener.Hostname;

    public string ServerName { get; init; } = "";

    /// <summary>Conflicted with an earlier listener on the same port (spec: HostnameConflict or ProtocolConflict).</summary>
    public GatewayApiProblem? Conflict { get; init; }

    /// <summary>Not accepted: unsupported protocol or value.</summary>
    public GatewayApiProblem? NotAccepted { get; init; }

    /// <summary>A reference the listener makes cannot be used (certificates, route kinds).</summary>
    public GatewayApiProblem? UnresolvedRefs { get; init; }

    /// <summary>The route kinds the listener admits (its protocol's, narrowed by allowedRoutes.kinds).</summary>
    public IReadOnlyList<(string Group, string Kind)> SupportedKinds { get; init; } = [];

    /// <summary>The terminating listener's credential (its certificateRef's Secret name).</summary>
    public string? CredentialName { get; init; }

    /// <summary>Routes may attach (it is accepted and not conflicted).</summary>
    public bool Accepted => Conflict is null && NotAccepted is null;

    /// <summary>The gateway serves it: accepted, and every reference resolved.</summary>
    public bool Programmable => Accepted && UnresolvedRefs is null;

    public bool IsHttp => Protocol is "HTTP" or "HTTPS";

    /// <summary>Whether a route of this namespace may attach (allowedRoutes.namespaces; default Same).</summary>
    public bool AdmitsNamespace(string routeNamespace)
    {
        var namespaces = Listener.AllowedRoutes?.Namespaces;
        return (namespaces?.From ?? FromNamespaces.Same) switch
        {
            FromNamespaces.All => true,
            FromNamespaces.Selector => namespaces!.Selector is { } selector && NamespaceSelector.Matches(selector, routeNamespace),
            FromNamespaces.Same => routeNamespace == GatewayNamespace,
            _ => false,
        };
    }
}
