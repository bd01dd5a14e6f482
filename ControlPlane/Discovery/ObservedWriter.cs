using Grpc.Core;

namespace Mesh.ControlPlane.Discovery;

/// <summary>A proxy's discovery stream that reports each snapshot or delta written to it (counted as <c>pilot_xds_pushes</c>).</summary>
internal sealed class ObservedWriter<T>(IAsyncStreamWriter<T> inner, IDiscoveryObserver observer, string mode) : IAsyncStreamWriter<T>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public async Task WriteAsync(T message)
    {
        await inner.WriteAsync(message);
        observer.SnapshotPushed(mode);
    }

    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        await inner.WriteAsync(message, cancellationToken);
        observer.SnapshotPushed(mode);
    }
}
