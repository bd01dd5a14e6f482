namespace Mesh.Telemetry.Tests.Infrastructure;

/// <summary>
/// A test's mesh (<see cref="TestMesh"/>: the real control plane, workloads with real sidecars,
/// mTLS) in a namespace of its own, so its metrics never mix with another test's in the
/// process-wide <see cref="TelemetryCapture"/>.
/// </summary>
internal static class TelemetryMesh
{
    /// <param name="captureTelemetry">False: nothing listens to the proxies' spans and metrics (as without OTLP).</param>
    public static Task<TestMesh> StartAsync(bool captureTelemetry = true)
    {
        if (captureTelemetry)
        {
            TelemetryCapture.Start();
        }

        return TestMesh.StartAsync(@namespace: TestMesh.UniqueNamespace());
    }
}
