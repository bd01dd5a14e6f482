using Google.Protobuf;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// One <see cref="SnapshotDelta"/> as written to a proxy: the shared encoded plan (compressed or
/// not, <see cref="SnapshotDeltaPlan.BodyFor"/>) followed by this write's nonce and, on a stream's
/// first delta, the proxy's node (protobuf accepts fields in any order, so the proxy parses
/// exactly the contract's message).
/// </summary>
internal sealed class DeltaPayload
{
    public DeltaPayload(SnapshotDeltaPlan plan, string nonce, Node? node, bool acceptsZlib = false)
    {
        Plan = plan;
        Nonce = nonce;
        Body = plan.BodyFor(acceptsZlib);
        Own = new SnapshotDelta { Nonce = nonce, Node = node }.ToByteArray();
    }

    public SnapshotDeltaPlan Plan { get; }

    /// <summary>The shared part as written: the plan's body, or its compressed form.</summary>
    public byte[] Body { get; }

    public string Nonce { get; }

    /// <summary>The encoded <c>nonce</c> and <c>node</c> fields of this write.</summary>
    public byte[] Own { get; }

    public int Length => Body.Length + Own.Length;
}
