using System.Security.Cryptography.X509Certificates;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Discovery;
using Mesh.Proxy.Core.Identity;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Security.Certificates;

/// <summary>
/// Runs before a snapshot is published: a snapshot with a trust bundle means the mesh has a CA,
/// so mesh traffic is mTLS from now on — the bundle is installed, certificate issuance starts,
/// and the snapshot is only acknowledged once this workload holds a certificate (otherwise it is
/// NACKed with the CA's answer). A certificate that does not chain to the bundle's current root
/// (the CA's root was rotated) is renewed at once.
/// </summary>
internal sealed class SnapshotSecurityGate : ISnapshotGate
{
    private readonly WorkloadIdentityState _state;
    private readonly WorkloadCertificateManager _certificates;
    private readonly ProxySecurityOptions _options;

    // Snapshots are applied one at a time (SnapshotApplier's gate), so this needs no lock.
    private string? _installedPems;

    public SnapshotSecurityGate(WorkloadIdentityState state, WorkloadCertificateManager certificates, IOptions<ProxySecurityOptions> options)
    {
        _state = state;
        _certificates = certificates;
        _options = options.Value;
    }

    /// <summary>Null when the snapshot may be published, else the NACK reason.</summary>
    public async Task<string?> PrepareAsync(ProxySnapshot snapshot, CancellationToken cancellationToken)
    {
        if (snapshot.TrustBundlePem.Count == 0)
        {
            return null;
        }

        var pems = string.Join("\n", snapshot.TrustBundlePem);
        if (pems != _installedPems)
        {
            if (TrustBundle.Parse(snapshot.TrustBundlePem, out var error) is not { } bundle)
            {
                return error;
            }

            _state.Publish(bundle);
            _installedPems = pems;
        }

        _certificates.Activate(string.IsNullOrEmpty(snapshot.TrustDomain) ? "cluster.local" : snapshot.TrustDomain);
        if (_state.Certificate is { } current && !ChainsToCurrentRoot(current, _state.TrustBundle!))
        {
            _certificates.RequestRenewal();
        }

        try
        {
            await _certificates.WaitForCertificateAsync(cancellationToken).WaitAsync(_options.CertificateWaitTimeout, cancellationToken);
            return null;
        }
        catch (TimeoutException)
        {
            return $"no workload certificate for {_certificates.SpiffeId} from the mesh CA within {_options.CertificateWaitTimeout.TotalSeconds:0.#} s" +
                (_certificates.LastError is { } reason ? $": {reason}" : "");
        }
    }

    private static bool ChainsToCurrentRoot(WorkloadCertificate certificate, TrustBundle bundle)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(bundle.Current);
        chain.ChainPolicy.ExtraStore.AddRange(certificate.Intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(certificate.Leaf);
    }
}
