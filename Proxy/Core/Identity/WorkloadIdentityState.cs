namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// The proxy's current workload certificate and trust bundle (Envoy's SDS secrets), each swapped
/// atomically: a TLS handshake reads them once, so rotation needs no lock and never disturbs open
/// connections. Every TLS user reads it (inbound mTLS, upstream mTLS, ISTIO_MUTUAL gateway servers);
/// the feature that talks to the mesh CA writes it (Mesh.Proxy.Security).
/// </summary>
public sealed class WorkloadIdentityState
{
    private WorkloadCertificate? _certificate;
    private TrustBundle? _trustBundle;

    /// <summary>Null until the CA issued the first certificate (or when the mesh has no CA).</summary>
    public WorkloadCertificate? Certificate => Volatile.Read(ref _certificate);

    /// <summary>Null while the mesh has no CA (snapshots without a trust bundle): mesh traffic stays plaintext.</summary>
    public TrustBundle? TrustBundle => Volatile.Read(ref _trustBundle);

    /// <summary>Installs a newly issued certificate; handshakes from now on present it.</summary>
    public void Publish(WorkloadCertificate certificate) => Volatile.Write(ref _certificate, certificate);

    /// <summary>Installs the mesh trust bundle of the applied snapshot.</summary>
    public void Publish(TrustBundle trustBundle) => Volatile.Write(ref _trustBundle, trustBundle);
}
