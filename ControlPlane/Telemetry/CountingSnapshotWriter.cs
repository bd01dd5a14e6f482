using Grpc.Core;
using Mesh.ControlPlane.Discovery;

namespace Mesh.ControlPlane.Telemetry;

/// <summary>A proxy's discovery stream that counts each snapshot written to it (<c>pilot_xds_pushes</c>).</summary>
public sealed class CountingSnapshotWriter(IAsyncStreamWriter<SnapshotPayload> inner, ControlPlaneMetrics metrics, string mode) : IAsyncStreamWriter<SnapshotPayload>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public async Task WriteAsync(SnapshotPayload message)
    {
        await inner.WriteAsync(message);
        metrics.SnapshotPushed(mode);
    }

    public async Task WriteAsync(SnapshotPayload message, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(message, cancellationToken);
        metrics.SnapshotPushed(mode);
    }
}
