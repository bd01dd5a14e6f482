using System.Runtime.CompilerServices;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// What one cluster is built from: host, port, subset ("" for none) and the DestinationRule that
/// applies to the proxy asking for it (Istio's precedence, see <see cref="DestinationRuleIndex"/>).
/// Proxies for which the same rule applies share the cluster. The rule compares by reference: it
/// is one object of one accepted configuration.
/// </summary>
internal readonly struct ClusterKey(string host, uint port, string subset, ConfigResource<DestinationRuleConfig>? rule) : IEquatable<ClusterKey>
{
    public string Host { get; } = host;

    public uint Port { get; } = port;

    public string Subset { get; } = subset;

    public ConfigResource<DestinationRuleConfig>? Rule { get; } = rule;

    public bool Equals(ClusterKey other) =>
        Port == other.Port && ReferenceEquals(Rule, other.Rule) && string.Equals(Host, other.Host, StringComparison.Ordinal) && string.Equals(Subset, other.Subset, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ClusterKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Host, Port, Subset, Rule is null ? 0 : RuntimeHelpers.GetHashCode(Rule));
}
