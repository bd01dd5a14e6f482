using System.Buffers;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Mesh.Contracts.Discovery;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// Binds <c>mesh.discovery.v1.MeshDiscovery/StreamSnapshots</c> and <c>StreamDeltas</c> to
/// <see cref="MeshDiscoveryService"/> with response marshallers that write <see cref="SnapshotPayload"/>s
/// and <see cref="DeltaPayload"/>s from their pre-serialized parts (shared by every proxy they go to). The wire format is exactly the contract's: clients use the generated stub.
/// </summary>
internal sealed class DiscoveryMethods : IServiceMethodProvider<MeshDiscoveryService>
{
    private static readonly Marshaller<ProxyMessage> Requests = Marshallers.Create(
        (ProxyMessage message, SerializationContext context) =>
        {
            context.SetPayloadLength(message.CalculateSize());
            Google.Protobuf.MessageExtensions.WriteTo(message, context.GetBufferWriter());
            context.Complete();
        },
        context => ProxyMessage.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    public static Method<ProxyMessage, DeltaPayload> StreamDeltas { get; } = new(
        MethodType.DuplexStreaming,
        MeshDiscovery.Descriptor.FullName,
        "StreamDeltas",
        Requests,
        Marshallers.Create(
            (DeltaPayload payload, SerializationContext context) =>
            {
                context.SetPayloadLength(payload.Length);
                var writer = context.GetBufferWriter();
                writer.Write(payload.Body);
                writer.Write(payload.Own);
                context.Complete();
            },
            _ => throw new NotSupportedException("the control plane only sends deltas")));

    public static Method<ProxyMessage, SnapshotPayload> StreamSnapshots { get; } = new(
        MethodType.DuplexStreaming,
        MeshDiscovery.Descriptor.FullName,
        "StreamSnapshots",
        Requests,
        Marshallers.Create(
            (SnapshotPayload payload, SerializationContext context) =>
            {
                context.SetPayloadLength(payload.Length);
                var writer = context.GetBufferWriter();
                writer.Write(payload.Shared.BytesWithoutNode);
                writer.Write(payload.NodeField);
                context.Complete();
            },
            _ => throw new NotSupportedException("the control plane only sends snapshots")));

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<MeshDiscoveryService> context)
    {
        context.AddDuplexStreamingMethod(StreamSnapshots, [], (service, requests, responses, call) => service.StreamSnapshots(requests, responses, call));
        context.AddDuplexStreamingMethod(StreamDeltas, [], (service, requests, responses, call) => service.StreamDeltas(requests, responses, call));
    }
}
