using Mesh.ControlPlane.Discovery;
using Mesh.Testing.Config;
using Mesh.Testing.Workloads;

namespace Mesh.Integration.Tests.Discovery;

/// <summary>
/// A real sidecar says in its Hello that it takes compressed deltas, and serves a mesh whose
/// snapshot is large enough to be sent compressed (what the control plane's tests show it does
/// above the threshold): it ACKs it and routes by it.
/// </summary>
public sealed class CompressedDeltaTests
{
    [Fact]
    public async Task A_sidecar_takes_a_large_mesh_as_a_compressed_delta_and_serves_all_of_it()
    {
        await using var mesh = await TestMesh.StartAsync();
        var productpage = await mesh.WorkloadAsync(new WorkloadSpec("productpage") { WithApp = false });
        var connection = mesh.ControlPlane.Service<ConnectedProxies>().Find(productpage.Name);
        Assert.NotNull(connection);
        Assert.True(connection.AcceptsCompressedDeltas);

        // 150 ServiceEntries: well above SnapshotDeltaPlan.CompressAbove in one delta.
        await mesh.ApplyAsync(ServiceEntryYaml.Many(150, "{ns}"));

        var snapshot = productpage.Snapshot!;
        Assert.Equal(150, snapshot.Clusters.Count(c => c.Service.EndsWith(".example.com", StringComparison.Ordinal)));
        Assert.True(snapshot.CalculateSize() > SnapshotDeltaPlan.CompressAbove, $"the snapshot is {snapshot.CalculateSize()} bytes");
        Assert.Equal(connection.LastSent!.Clusters, snapshot.Clusters);
    }
}
