namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// What happens on the discovery streams, reported to whoever watches them (the control plane's
/// metrics in ControlPlane/Telemetry). Discovery reports through this seam so that it never
/// depends on its observers: the dependency points from Telemetry to Discovery only.
/// </summary>
internal interface IDiscoveryObserver
{
    /// <summary>A snapshot was written to the stream of a proxy of <paramref name="mode"/> (sidecar, gateway).</summary>
    void SnapshotPushed(string mode);

    /// <summary>The proxy of <paramref name="connection"/> acknowledged <paramref name="version"/>.</summary>
    void ProxyAcked(ProxyConnection connection, string version);

    /// <summary>A proxy of <paramref name="mode"/> rejected a snapshot.</summary>
    void ProxyNacked(string mode);
}
