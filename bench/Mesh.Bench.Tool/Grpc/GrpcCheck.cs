using Google.Protobuf;
using Grpc.Net.Client;
using Mesh.Bench.Tool.Orchestration;

namespace Mesh.Bench.Tool.Grpc;

/// <summary>Waits until a real gRPC unary call through an address returns the 1 KB reply.</summary>
public static class GrpcCheck
{
    public static async Task WaitForEchoAsync(Uri address, TimeSpan timeout, params ManagedProcess[] processes)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
        var client = new BenchEcho.BenchEchoClient(channel);
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            foreach (var process in processes)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited with {process.ExitCode}:\n{process.Tail()}");
                }
            }

            try
            {
                var reply = await client.UnaryAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[16]) }, deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Payload.Length == BenchEchoService.ReplyBytes)
                {
                    return;
                }

                last = $"reply of {reply.Payload.Length} bytes";
            }
            catch (global::Grpc.Core.RpcException ex)
            {
                last = ex.Status.ToString();
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"gRPC echo at {address} did not answer within {timeout.TotalSeconds:0} s (last: {last})");
    }
}
