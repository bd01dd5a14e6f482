namespace Mesh.Proxy.Security.Certificates;

/// <summary>
/// The proxy's current workload certificate and trust bundle, each swapped atomically: a TLS
/// handshake reads them once, so rotation needs no lock and never disturbs open connections.
/// </summary>
public sealed class WorkloadIdentityState
{
    private WorkloadCertificate? _certificate;
    private TrustBundle? _trustBundle;

    /// <summary>Null until the CA issued the first certificate (or when the mesh has no CA).</summary>
    public WorkloadCertificate? Certificate => Volatile.Read(ref _certificate);

    /// <summary>Null while the mesh has no CA (snapshots without a trust bundle): mesh traffic stays plaintext.</summary>
    public TrustBundle? TrustBundle => Volatile.Read(ref _trustBundle);

    internal void Publish(WorkloadCertificate certificate) => Volatile.Write(ref _certificate, certificate);

    internal void Publish(TrustBundle trustBundle) => Volatile.Write(ref _trustBundle, trustBundle);
}
