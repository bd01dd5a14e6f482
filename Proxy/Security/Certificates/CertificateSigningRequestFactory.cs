using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Security.Certificates;

/// <summary>A fresh ECDSA P-256 key (it never leaves the process) and a CSR naming only the workload's SPIFFE id.</summary>
internal static class CertificateSigningRequestFactory
{
    public static (ECDsa Key, string CsrPem) Create(string spiffeId)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri(spiffeId));
        request.CertificateExtensions.Add(names.Build(critical: true));
        return (key, request.CreateSigningRequestPem());
    }
}
