using System.Buffers;
using Google.Protobuf;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// One resource of a snapshot ready for the incremental stream: its key, its version (hash of its
/// body) and its wire form, a complete <c>SnapshotDelta.resources</c> entry (field tag, length,
/// <see cref="Resource"/>) that a delta to any proxy appends as it is.
/// </summary>
internal sealed class EncodedResource
{
    private EncodedResource(SnapshotResourceKey key, string version, byte[] deltaEntry)
    {
        Key = key;
        Version = version;
        DeltaEntry = deltaEntry;
        var composite = new ArrayBufferWriter<byte>();
        SnapshotResources.AppendCompositeEntry(composite, key, version);
        CompositeEntry = composite.WrittenSpan.ToArray();
    }

    public SnapshotResourceKey Key { get; }

    public string Version { get; }

    /// <summary>The <c>resources</c> field entry of a <see cref="SnapshotDelta"/> carrying this resource.</summary>
    public byte[] DeltaEntry { get; }

    /// <summary>This resource's share of the snapshot's composite version (<see cref="SnapshotResources.AppendCompositeEntry"/>).</summary>
    public byte[] CompositeEntry { get; }

    public static EncodedResource Encode(SnapshotPart part)
    {
        var body = part.Body().ToByteString();
        var version = SnapshotResources.VersionOf(body.Span);
        var entry = new SnapshotDelta { Resources = { new Resource { Type = part.Type.Name, Name = part.Name, Version = version, Body = body } } };
        return new EncodedResource(part.Key, version, entry.ToByteArray());
    }
}
