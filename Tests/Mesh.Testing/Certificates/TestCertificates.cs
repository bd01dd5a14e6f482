using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Testing.Certificates;

/// <summary>
/// Certificates a test makes itself (EC P-256): CAs (also foreign ones), intermediates, server,
/// client and workload leaves with chosen names and validity, and PEM export.
/// </summary>
public static class TestCertificates
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static X509Certificate2 CreateCa(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(name, key);
        return request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>An intermediate CA signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 issuer, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(name, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMonths(6), RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>A workload leaf (client and server auth) with a URI SAN and/or DNS names, signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 IssueLeaf(X509Certificate2 issuer, string? uri = null, string[]? dnsNames = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        Leaf(issuer, dnsNames is { Length: > 0 } ? $"CN={dnsNames[0]}" : "", dnsNames ?? [], uri, [ServerAuth, ClientAuth], notBefore, notAfter,
            criticalNames: dnsNames is not { Length: > 0 });

    /// <summary>A server certificate for <paramref name="dnsNames"/> (the first is also the CN), signed by <paramref name="issuer"/> or self-signed.</summary>
    public static X509Certificate2 Server(X509Certificate2? issuer, params string[] dnsNames) =>
        Leaf(issuer, $"CN={dnsNames[0]}", dnsNames, uri: null, [ServerAuth]);

    /// <summary>A client certificate with a DNS or URI SAN, signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 Client(X509Certificate2 issuer, string commonName, string? dnsName = null, string? uri = null) =>
        Leaf(issuer, $"CN={commonName}", dnsName is null ? [] : [dnsName], uri, [ClientAuth]);

    public static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static string KeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem() ?? certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem()) + "\n";

    /// <summary>Writes PEM files (certificate, and the key when it has one) and returns their paths.</summary>
    public static (string Cert, string? Key) WritePem(string directory, string name, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(directory);
        var cert = Path.Combine(directory, name + ".pem");
        File.WriteAllText(cert, CertificatePem(certificate));
        string? key = null;
        if (certificate.HasPrivateKey)
        {
            key = Path.Combine(directory, name + "-key.pem");
            File.WriteAllText(key, KeyPem(certificate));
        }

        return (cert, key);
    }

    private static CertificateRequest CaRequest(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static X509Certificate2 Leaf(
        X509Certificate2? issuer, string subject, string[] dnsNames, string? uri, Oid[] usages,
        DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, bool criticalNames = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (dnsNames.Length > 0 || uri is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            if (uri is not null)
            {
                names.AddUri(new Uri(uri));
            }

            foreach (var dns in dnsNames)
            {
                names.AddDnsName(dns);
            }

            request.CertificateExtensions.Add(names.Build(criticalNames));
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(1);
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, until);
        }

        using var certificate = request.Create(issuer, from, until, RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }
}
