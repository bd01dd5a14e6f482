using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Security;

/// <summary>Spec of Istio's <c>PeerAuthentication</c>: the mTLS mode a workload accepts.</summary>
public sealed record PeerAuthenticationConfig
{
    public WorkloadSelector? Selector { get; init; }

    public MutualTls? Mtls { get; init; }

    /// <summary>Keyed by workload port number (as text, the way Istio's YAML writes map keys).</summary>
    public ValueMap<MutualTls> PortLevelMtls { get; init; } = ValueMap<MutualTls>.Empty;
}

/// <summary>Istio's <c>PeerAuthentication.MutualTLS</c>.</summary>
public sealed record MutualTls
{
    public MutualTlsMode? Mode { get; init; }
}

/// <summary>Istio's <c>PeerAuthentication.MutualTLS.Mode</c>.</summary>
public enum MutualTlsMode
{
    Unset,
    Disable,
    Permissive,
    Strict,
}
