using Grpc.Core;
using Google.Protobuf;
using Mesh.Contracts.Discovery;

namespace Mesh.Bench.Tool.ControlPlaneSim;

/// <summary>
/// MeshDiscovery.StreamDeltas, the stream real proxies use, with the simulator's own response
/// marshaller: the request side is the real ProxyMessage; responses become <see cref="SnapshotHeader"/>s.
/// </summary>
public static class DiscoveryMethods
{
    public static Method<ProxyMessage, SnapshotHeader> StreamDeltas(bool fullDecode) => new(
        MethodType.DuplexStreaming,
        MeshDiscovery.Descriptor.FullName,
        "StreamDeltas",
        Marshallers.Create(static (ProxyMessage m) => m.ToByteArray(), ProxyMessage.Parser.ParseFrom),
        Marshallers.Create<SnapshotHeader>(
            static _ => throw new NotSupportedException("the simulator never sends deltas"),
            bytes => SnapshotHeader.Parse(bytes, fullDecode)));
}
