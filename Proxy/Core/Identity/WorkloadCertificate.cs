using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// This workload's current certificate from the mesh CA: the leaf with its private key (never
/// leaves the process), the CA chain above it, and the TLS context built once for every handshake.
/// </summary>
public sealed class WorkloadCertificate
{
    public WorkloadCertificate(X509Certificate2 leaf, X509Certificate2Collection intermediates, SpiffeIdentity identity)
    {
        Leaf = leaf;
        Intermediates = intermediates;
        Identity = identity;
        NotBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());

        // offline: the chain is complete as given; nothing is fetched or looked up per handshake.
        ServerContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    public X509Certificate2 Leaf { get; }

    /// <summary>CA certificates between the leaf and the root (empty when the root signs directly).</summary>
    public X509Certificate2Collection Intermediates { get; }

    public SpiffeIdentity Identity { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    public SslStreamCertificateContext ServerContext { get; }

    /// <summary>When to rotate: half-way through the lifetime, as Istio's proxies do.</summary>
    public DateTimeOffset RenewAt => NotBefore + ((NotAfter - NotBefore) / 2);

    public override string ToString() => $"{Identity} (serial {Leaf.SerialNumber}, valid until {NotAfter:u})";
}
