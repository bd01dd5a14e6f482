using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Identity;
using Mesh;

namespace Mesh.Security.Tests.Identity;

/// <summary>Calls the CSR API the way a proxy does (over a real gRPC channel), with any CSR and credential.</summary>
public sealed class CsrClient(Uri grpc) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(grpc);

    public Task<CertificateResponse> SignAsync(string csrPem, string? token, long validitySeconds = 0)
    {
        var headers = new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", "Bearer " + token);
        }

        return new MeshCertificates.MeshCertificatesClient(_channel)
            .CreateCertificateAsync(new Contracts.Identity.CertificateRequest { CsrPem = csrPem, ValiditySeconds = validitySeconds }, headers, deadline: DateTime.UtcNow.AddSeconds(10))
            .ResponseAsync;
    }

    /// <summary>A CSR with the given URI SANs (and DNS names) for a fresh P-256 key.</summary>
    public static string Csr(string[] uris, string[]? dnsNames = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var uri in uris)
        {
            names.AddUri(new Uri(uri));
        }

        foreach (var dns in dnsNames ?? [])
        {
            names.AddDnsName(dns);
        }

        if (uris.Length + (dnsNames?.Length ?? 0) > 0)
        {
            request.CertificateExtensions.Add(names.Build(critical: true));
        }

        return request.CreateSigningRequestPem();
    }

    public void Dispose() => _channel.Dispose();
}
