using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Tests.Gateway;

/// <summary>Test PKI for gateway TLS: CAs, server certificates with DNS names, client certificates, PEM export.</summary>
public static class GatewayCertificates
{
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A server certificate for <paramref name="dnsNames"/> (the first is also the CN), signed by <paramref name="issuer"/> or self-signed.</summary>
    public static X509Certificate2 Server(X509Certificate2? issuer, params string[] dnsNames) =>
        Leaf(issuer, $"CN={dnsNames[0]}", dnsNames, uri: null, serverAuth: true);

    /// <summary>A client certificate with a DNS or URI SAN, signed by <paramref name="issuer"/>.</summary>
    public static X509Certificate2 Client(X509Certificate2 issuer, string commonName, string? dnsName = null, string? uri = null) =>
        Leaf(issuer, $"CN={commonName}", dnsName is null ? [] : [dnsName], uri, serverAuth: false);

    public static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static string KeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem() ?? certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem()) + "\n";

    private static X509Certificate2 Leaf(X509Certificate2? issuer, string subject, string[] dnsNames, string? uri, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames)
        {
            names.AddDnsName(dns);
        }

        if (uri is not null)
        {
            names.AddUri(new Uri(uri));
        }

        if (dnsNames.Length > 0 || uri is not null)
        {
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        using var certificate = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        return certificate.CopyWithPrivateKey(key);
    }
}
