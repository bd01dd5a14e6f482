using Google.Protobuf;
using Mesh.Contracts.Snapshots;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// What a simulated proxy reads from a pushed snapshot: version, config generation and size.
/// Only these fields are decoded (the rest is skipped), so one simulator process can keep up with
/// thousands of proxies whose real counterparts would each have their own CPU; one proxy per run
/// decodes its snapshots fully (<see cref="Full"/>) to check they are valid and to count them.
/// </summary>
public sealed record SnapshotHeader(string Version, long ConfigGeneration, int SizeBytes, ProxySnapshot? Full)
{
    public static SnapshotHeader Parse(byte[] payload, bool full)
    {
        if (full)
        {
            var snapshot = ProxySnapshot.Parser.ParseFrom(payload);
            return new SnapshotHeader(snapshot.Version, snapshot.ConfigGeneration, payload.Length, snapshot);
        }

        var input = new CodedInputStream(payload);
        var version = "";
        long generation = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case ProxySnapshot.VersionFieldNumber:
                    version = input.ReadString();
                    break;
                case ProxySnapshot.ConfigGenerationFieldNumber:
                    generation = input.ReadInt64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new SnapshotHeader(version, generation, payload.Length, null);
    }
}
