using Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Runs after a snapshot translated and before it is loaded and served (one snapshot at a time):
/// a feature gets ready for it here — e.g. installs the trust bundle and waits for a workload
/// certificate. Returning an error NACKs the snapshot; the last good one keeps serving.
/// </summary>
public interface ISnapshotGate
{
    /// <summary>Null when the snapshot may be served, else the NACK reason.</summary>
    Task<string?> PrepareAsync(ProxySnapshot snapshot, CancellationToken cancellationToken);
}
