using Mesh.Config.Model.Networking;
using Mesh.Config.Model.Security;
using Mesh.Config.Model.Telemetry;

namespace Mesh.Config.Model;

/// <summary>The Istio kinds Mesh understands, and lookups by name, plural or short name.</summary>
public static class ConfigKinds
{
    public const string NetworkingGroup = "networking.istio.io";
    public const string SecurityGroup = "security.istio.io";
    public const string TelemetryGroup = "telemetry.istio.io";

    private static readonly string[] NetworkingVersions = ["v1", "v1beta1", "v1alpha3"];
    private static readonly string[] SecurityVersions = ["v1", "v1beta1"];
    private static readonly string[] TelemetryVersions = ["v1", "v1alpha1"];

    public static ConfigKind VirtualService { get; } = new("VirtualService", NetworkingGroup, NetworkingVersions, "virtualservices", ["vs"], typeof(VirtualServiceConfig));
    public static ConfigKind DestinationRule { get; } = new("DestinationRule", NetworkingGroup, NetworkingVersions, "destinationrules", ["dr"], typeof(DestinationRuleConfig));
    public static ConfigKind Gateway { get; } = new("Gateway", NetworkingGroup, NetworkingVersions, "gateways", ["gw"], typeof(GatewayConfig));
    public static ConfigKind ServiceEntry { get; } = new("ServiceEntry", NetworkingGroup, NetworkingVersions, "serviceentries", ["se"], typeof(ServiceEntryConfig));
    public static ConfigKind Sidecar { get; } = new("Sidecar", NetworkingGroup, NetworkingVersions, "sidecars", [], typeof(SidecarConfig));
    public static ConfigKind PeerAuthentication { get; } = new("PeerAuthentication", SecurityGroup, SecurityVersions, "peerauthentications", ["pa"], typeof(PeerAuthenticationConfig));
    public static ConfigKind AuthorizationPolicy { get; } = new("AuthorizationPolicy", SecurityGroup, SecurityVersions, "authorizationpolicies", ["ap"], typeof(AuthorizationPolicyConfig));
    public static ConfigKind RequestAuthentication { get; } = new("RequestAuthentication", SecurityGroup, SecurityVersions, "requestauthentications", ["ra"], typeof(RequestAuthenticationConfig));
    public static ConfigKind Telemetry { get; } = new("Telemetry", TelemetryGroup, TelemetryVersions, "telemetries", ["telemetry"], typeof(TelemetryConfig));

    /// <summary>Every supported kind, networking first (the order <c>meshctl get all</c> lists them).</summary>
    public static IReadOnlyList<ConfigKind> All { get; } =
    [
        VirtualService, DestinationRule, Gateway, ServiceEntry, Sidecar,
        PeerAuthentication, AuthorizationPolicy, RequestAuthentication, Telemetry,
    ];

    /// <summary>
    /// Resolves a kind written by a user: the kind itself, its plural, singular lower-case or a
    /// short name (<c>vs</c>, <c>dr</c>, <c>gw</c>, <c>se</c>, <c>pa</c>, <c>ap</c>, <c>ra</c>),
    /// case-insensitively, optionally qualified by group (<c>virtualservices.networking.istio.io</c>).
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
            if (Matches(candidate, name) || (name.EndsWith("." + candidate.Group, StringComparison.OrdinalIgnoreCase)
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

    /// <summary>The kind with exactly this <c>kind:</c> name (case-sensitive, as in a document).</summary>
    public static ConfigKind? FindExact(string kindName) => All.FirstOrDefault(k => k.Kind == kindName);

    private static bool Matches(ConfigKind kind, string name) =>
        string.Equals(kind.Kind, name, StringComparison.OrdinalIgnoreCase)
        || string.Equals(kind.Plural, name, StringComparison.OrdinalIgnoreCase)
        || kind.ShortNames.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
}
