using Google.Protobuf;
using Grpc.Core;

namespace Mesh.Bench.Tool.Grpc;

/// <summary>The gRPC backend's only method: a fixed 1 KB reply, like the nginx backend's body.</summary>
public sealed class BenchEchoService : BenchEcho.BenchEchoBase
{
    public const int ReplyBytes = 1024;

    private static readonly EchoReply Reply = new() { Payload = ByteString.CopyFrom(new byte[ReplyBytes]) };

    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) => Task.FromResult(Reply);
}
