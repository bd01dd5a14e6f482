using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>Certificates a test makes itself: foreign CAs, leaves with chosen names and validity.</summary>
public static class TestCertificates
{
    public static X509Certificate2 CreateCa(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>An intermediate CA signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMonths(6), RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>A leaf (client and server auth) with a URI SAN and/or DNS names, signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 IssueLeaf(X509Certificate2 issuer, string? uri = null, string[]? dnsNames = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(dnsNames is { Length: > 0 } ? $"CN={dnsNames[0]}" : "", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (uri is not null)
        {
            names.AddUri(new Uri(uri));
        }

        foreach (var dns in dnsNames ?? [])
        {
            names.AddDnsName(dns);
        }

        request.CertificateExtensions.Add(names.Build(critical: dnsNames is not { Length: > 0 }));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.Create(issuer, notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>Writes PEM files (certificate, and the key when it has one) and returns their paths.</summary>
    public static (string Cert, string? Key) WritePem(string directory, string name, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(directory);
        var cert = Path.Combine(directory, name + ".pem");
        File.WriteAllText(cert, certificate.ExportCertificatePem() + "\n");
        string? key = null;
        if (certificate.HasPrivateKey)
        {
            key = Path.Combine(directory, name + "-key.pem");
            File.WriteAllText(key, (certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem() ?? certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem()) + "\n");
        }

        return (cert, key);
    }
}
