using System.Security.Cryptography;
using Grpc.Core;
using Mesh.Contracts.Identity;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Telemetry;
using X509 = System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// The CSR API (<c>MeshCertificates.CreateCertificate</c>): a proxy sends a CSR for its own key with
/// its credential; the CA signs only the SPIFFE identity the credential entitles it to.
/// Unauthenticated without a valid credential, PermissionDenied for any other identity,
/// InvalidArgument for a malformed request. A credential bound to a WorkloadGroup (a VM's token) entitles
/// only while its group exists and names its service account (<see cref="WorkloadGroupEntitlement"/>).
/// </summary>
internal sealed partial class MeshCertificatesService(
    MeshCertificateAuthority ca, IWorkloadCredentialValidator credentials, ConfigStore store, ControlPlaneMetrics metrics, ILogger<MeshCertificatesService> logger) : MeshCertificates.MeshCertificatesBase
{
    private const int MaxCsrLength = 64 * 1024;

    public override async Task<CertificateResponse> CreateCertificate(CertificateRequest request, ServerCallContext context)
    {
        var check = await credentials.ValidateAsync(BearerToken.From(context.RequestHeaders), context.CancellationToken);
        if (check.Credential is not { } credential)
        {
            LogRefused(logger, context.Peer, check.FailureReason ?? "no credential");
            throw new RpcException(new Status(StatusCode.Unauthenticated, check.FailureReason ?? "not authenticated"));
        }

        if (WorkloadGroupEntitlement.Refusal(store.Current.Model, credential) is { } refusal)
        {
            LogRefused(logger, context.Peer, refusal);
            throw new RpcException(new Status(StatusCode.PermissionDenied, refusal));
        }

        var entitled = new SpiffeId(ca.TrustDomain, credential.Namespace, credential.ServiceAccount);
        var csr = ParseCsr(request);
        var requested = RequestedIdentity(csr);
        if (requested != entitled.ToString())
        {
            LogRefused(logger, context.Peer, $"credential of {entitled} asked for {requested}");
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"the credential entitles the caller to {entitled}, not {requested}"));
        }

        if (request.ValiditySeconds < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "validity_seconds must not be negative"));
        }

        IReadOnlyList<string> chain;
        X509.X509Certificate2 leaf;
        try
        {
            chain = ca.Issue(csr.PublicKey, entitled, ca.LifetimeFor(request.ValiditySeconds), out leaf);
        }
        catch (InvalidOperationException ex)
        {
            // The CA's own key material is broken (reported at start): say so rather than "internal error".
            throw new RpcException(new Status(StatusCode.Unavailable, $"the mesh CA cannot sign: {ex.Message}"));
        }

        metrics.CertificateIssued();
        using (leaf)
        {
            LogIssued(logger, entitled.ToString(), leaf.SerialNumber, leaf.NotAfter.ToUniversalTime());
        }

        var response = new CertificateResponse();
        response.CertChainPem.AddRange(chain);
        response.TrustBundlePem.AddRange(ca.Material.TrustBundlePem);
        return response;
    }

    private static X509.CertificateRequest ParseCsr(CertificateRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.CsrPem) || request.CsrPem.Length > MaxCsrLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"csr_pem must hold one PEM certificate signing request (at most {MaxCsrLength} characters)"));
        }

        X509.CertificateRequest csr;
        try
        {
            // Extensions are loaded only to read the requested SAN; the CA writes its own (WorkloadCertificateSigner).
            csr = X509.CertificateRequest.LoadSigningRequestPem(request.CsrPem, HashAlgorithmName.SHA256, X509.CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"csr_pem is not a valid, self-signed PKCS#10 request: {ex.Message}"));
        }

        var key = csr.PublicKey;
        var strongEnough = key.GetECDsaPublicKey() is { } ec ? ec.KeySize >= 256
            : key.GetRSAPublicKey() is { } rsa && rsa.KeySize >= 2048;
        if (!strongEnough)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the CSR's key must be ECDSA (P-256 or larger) or RSA (2048 bits or more)"));
        }

        return csr;
    }

    private static string RequestedIdentity(X509.CertificateRequest csr)
    {
        const string Expected = "the CSR must carry exactly one URI SAN, spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>";
        if (SubjectAltNames.Find(csr.CertificateExtensions) is not { } extension)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{Expected} (it has no subjectAltName)"));
        }

        IReadOnlyList<string> uris;
        int others;
        try
        {
            (uris, others) = SubjectAltNames.Read(extension);
        }
        catch (System.Formats.Asn1.AsnContentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{Expected} (the subjectAltName is malformed: {ex.Message})"));
        }

        if (uris.Count != 1 || others != 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{Expected} (it has {uris.Count} URI and {others} other name(s))"));
        }

        return uris[0];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Issued a workload certificate for {Identity} (serial {Serial}, valid until {NotAfter:u})")]
    private static partial void LogIssued(ILogger logger, string identity, string serial, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a certificate request from {Peer}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string peer, string reason);
}
