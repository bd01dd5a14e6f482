namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The incremental stream's side of a <see cref="ProxyConnection"/> (guarded by the connection's
/// lock): what the proxy holds as far as the control plane knows (its Hello, then each
/// acknowledged delta), the one delta in flight, and the nonce counter.
/// </summary>
internal sealed class DeltaStreamState(ResourceView held, SnapshotDeltaPlans plans, bool acceptsZlib)
{
    public ResourceView Held { get; set; } = held;

    public SnapshotDeltaPlans Plans { get; } = plans;

    /// <summary>Whether the proxy's Hello accepted compressed deltas (<c>accept_encodings</c> has "zlib").</summary>
    public bool AcceptsZlib { get; } = acceptsZlib;

    /// <summary>The delta written and not yet answered: the next one waits for its answer and starts from what it leaves.</summary>
    public (string Nonce, SnapshotDeltaPlan Plan)? InFlight { get; set; }

    public long Nonces { get; set; }

    /// <summary>Whether the proxy's node went out with a delta of this stream (only the first carries it).</summary>
    public bool NodeSent { get; set; }
}
