using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// Issues a workload certificate for a CSR's public key. Nothing the CSR asks for beyond its key
/// is copied: the CA writes the extensions itself (empty subject, the SPIFFE URI as the only,
/// critical SAN, client and server auth), so a caller cannot smuggle in CA rights or other names.
/// </summary>
internal static class WorkloadCertificateSigner
{
    private static readonly OidCollection ServerAndClientAuth = [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")];

    public static X509Certificate2 Sign(CaKeyMaterial ca, PublicKey publicKey, SpiffeId identity, TimeSpan lifetime, DateTimeOffset now)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(identity.ToString()));
        return Sign(ca, publicKey, names, lifetime, now);
    }

    /// <summary>A leaf for exactly <paramref name="names"/> (the control plane's own serving certificate uses DNS and IP names).</summary>
    public static X509Certificate2 Sign(CaKeyMaterial ca, PublicKey publicKey, SubjectAlternativeNameBuilder names, TimeSpan lifetime, DateTimeOffset now)
    {
        var request = new CertificateRequest(new X500DistinguishedName(""), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ServerAndClientAuth, false));
        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.SigningCertificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        // Back-dated a little for clock skew between hosts, never by more than a tenth of the lifetime.
        var notBefore = now - TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, lifetime.Ticks / 10));
        var notAfter = now + lifetime;
        var caNotAfter = new DateTimeOffset(ca.SigningCertificate.NotAfter.ToUniversalTime());
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive INTEGER
        lock (ca.SigningLock)
        {
            return request.Create(ca.SigningCertificate.SubjectName, ca.SignatureGenerator, notBefore, notAfter, serial);
        }
    }
}
