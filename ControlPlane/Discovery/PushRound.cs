namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// One push round's work once its inputs are fixed: every distinct shape among the connections
/// built once (in parallel: builds are pure and independent), then each connection offered its
/// shape's build. Shared by <see cref="PushScheduler"/> and the in-process push-cost measurement
/// (bench/Mesh.Benchmarks), so what is measured is what runs.
/// </summary>
internal static class PushRound
{
    public static void Offer(SnapshotBuildSet builds, IReadOnlyList<ProxyConnection> connections, Action<ProxyConnection, Exception> buildFailed)
    {
        var shapes = connections.DistinctBy(c => c.ShapeKey).ToList();
        if (shapes.Count > 1)
        {
            Parallel.ForEach(shapes, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, connection =>
            {
                try
                {
                    builds.Get(connection.ShapeKey, connection.Shape);
                }
                catch (Exception)
                {
                    // Reported per proxy below (the failed build is cached for these inputs).
                }
            });
        }

        foreach (var connection in connections)
        {
            OfferOne(builds, connection, buildFailed);
        }
    }

    /// <summary>Offers one connection its shape's build; a failed build is reported, and the proxy keeps what it has.</summary>
    public static void OfferOne(SnapshotBuildSet builds, ProxyConnection connection, Action<ProxyConnection, Exception> buildFailed)
    {
        SharedSnapshot snapshot;
        try
        {
            snapshot = builds.Get(connection.ShapeKey, connection.Shape);
        }
        catch (Exception ex)
        {
            buildFailed(connection, ex);
            connection.OnBuildFailed(ex.Message);
            return;
        }

        connection.Offer(snapshot, new SnapshotInputsOrder(builds.Inputs.Model.Generation, builds.Inputs.Registry.Version));
    }
}
