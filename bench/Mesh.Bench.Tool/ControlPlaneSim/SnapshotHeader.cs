using Google.Protobuf;
using Mesh.Contracts.Discovery;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// What a simulated proxy reads from a pushed delta: nonce, version, config generation and size.
/// Only these fields are decoded (the rest is skipped), so one simulator process can keep up with
/// thousands of proxies whose real counterparts would each have their own CPU; one proxy per run
/// decodes its deltas fully (<see cref="Delta"/>) and assembles them as a proxy does, to check
/// they are valid and to count what a snapshot holds.
/// </summary>
public sealed record SnapshotHeader(string Nonce, string Version, long ConfigGeneration, int SizeBytes, SnapshotDelta? Delta)
{
    public static SnapshotHeader Parse(byte[] payload, bool full)
    {
        if (full)
        {
            var delta = SnapshotDelta.Parser.ParseFrom(payload);
            return new SnapshotHeader(delta.Nonce, delta.Version, delta.ConfigGeneration, payload.Length, delta);
        }

        var input = new CodedInputStream(payload);
        var nonce = "";
        var version = "";
        long generation = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case SnapshotDelta.NonceFieldNumber:
                    nonce = input.ReadString();
                    break;
                case SnapshotDelta.VersionFieldNumber:
                    version = input.ReadString();
                    break;
                case SnapshotDelta.ConfigGenerationFieldNumber:
                    generation = input.ReadInt64();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new SnapshotHeader(nonce, version, generation, payload.Length, null);
    }
}
