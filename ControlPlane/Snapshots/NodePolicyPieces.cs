using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Mesh.Config.Model;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// A proxy's telemetry settings and inbound policy, built once per set of resources that select
/// it and shared by every node shape those same resources select (the same object, so it is
/// encoded and hashed once, <see cref="EncodedSnapshot"/>). Keyed by what the pieces are a
/// function of: the selecting config objects by identity — an object the configuration keeps
/// unchanged stays the same instance from one generation to the next, a changed one is a new
/// instance — and, for inbound policy, the trust domain. So a change to a VirtualService builds
/// no telemetry or inbound policy at all, where each of a push's shapes (500 at 5,000 proxies)
/// built and encoded both before.
/// </summary>
/// <remarks>
/// The pieces of the preceding inputs are consulted on a miss (one step back, as clusters are in
/// <see cref="SnapshotMemo"/>: no chain of old memos stays reachable), and a piece found there is
/// taken into this memo's. Callers must not change a piece: it is shared.
/// </remarks>
internal sealed class NodePolicyPieces
{
    private readonly ConcurrentDictionary<IdentityKey, Wire.TelemetrySettings> _telemetry = new();
    private readonly ConcurrentDictionary<IdentityKey, Wire.InboundPolicy> _inbound = new();
    private readonly ConcurrentDictionary<IdentityKey, Wire.TelemetrySettings>? _previousTelemetry;
    private readonly ConcurrentDictionary<IdentityKey, Wire.InboundPolicy>? _previousInbound;
    private long _builds;

    public NodePolicyPieces(NodePolicyPieces? previous)
    {
        _previousTelemetry = previous?._telemetry;
        _previousInbound = previous?._inbound;
    }

    /// <summary>Telemetry settings and inbound policies built (not found in this memo or the preceding one; diagnostics and tests).</summary>
    public long Builds => Interlocked.Read(ref _builds);

    public Wire.TelemetrySettings Telemetry(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings)
    {
        var layers = TelemetrySnapshotBuilder.Layers(model, node, nodeNamespace, settings);
        var key = new IdentityKey([.. layers.Select(l => l?.Object)], "");
        return Get(_telemetry, _previousTelemetry, key, layers, static layers => TelemetrySnapshotBuilder.Build(layers));
    }

    public Wire.InboundPolicy Inbound(MeshModel model, Wire.Node node, string nodeNamespace, MeshSettings settings)
    {
        var policies = InboundPolicySnapshotBuilder.Selecting(model, node, nodeNamespace, settings);
        object?[] parts =
        [
            policies.Mesh?.Object, policies.Namespace?.Object, policies.Workload?.Object,
            .. policies.Authorizations.Select(p => p.Object), null, .. policies.Authentications.Select(p => p.Object),
        ];
        return Get(_inbound, _previousInbound, new IdentityKey(parts, settings.TrustDomain), (policies, settings),
            static state => InboundPolicySnapshotBuilder.Build(state.policies, state.settings));
    }

    private T Get<T, TState>(ConcurrentDictionary<IdentityKey, T> pieces, ConcurrentDictionary<IdentityKey, T>? previous, IdentityKey key, TState state, Func<TState, T> build)
        where T : class
    {
        if (pieces.TryGetValue(key, out var piece))
        {
            return piece;
        }

        if (previous is null || !previous.TryGetValue(key, out piece))
        {
            Interlocked.Increment(ref _builds);
            piece = build(state);
        }

        // A race builds twice; every caller gets the one stored.
        return pieces.GetOrAdd(key, piece);
    }

    /// <summary>Objects compared by identity (a null separates lists), and one string compared by value.</summary>
    private sealed class IdentityKey(object?[] parts, string text) : IEquatable<IdentityKey>
    {
        private readonly int _hash = HashOf(parts, text);

        public bool Equals(IdentityKey? other)
        {
            if (other is null || other._hash != _hash || other.Parts.Length != parts.Length || !string.Equals(other.Text, text, StringComparison.Ordinal))
            {
                return false;
            }

            for (var i = 0; i < parts.Length; i++)
            {
                if (!ReferenceEquals(parts[i], other.Parts[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as IdentityKey);

        public override int GetHashCode() => _hash;

        private object?[] Parts => parts;

        private string Text => text;

        private static int HashOf(object?[] parts, string text)
        {
            var hash = new HashCode();
            hash.Add(text, StringComparer.Ordinal);
            foreach (var part in parts)
            {
                hash.Add(part is null ? 0 : RuntimeHelpers.GetHashCode(part));
            }

            return hash.ToHashCode();
        }
    }
}
