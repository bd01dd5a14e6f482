using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// The control plane's own certificate for its TLS discovery/CA listener, as istiod's on 15012: signed
/// by the mesh CA (so a proxy verifies it with the root it was given), for istiod's names
/// (<c>istiod.istio-system.svc</c> — what proxies expect, whatever address they dial, such as an
/// east-west gateway's), <c>localhost</c>, 127.0.0.1, the bind address and <c>ControlPlane:DiscoveryTls:Names</c>.
/// Issued on the first handshake and again once half its lifetime has passed; the key never leaves the process.
/// </summary>
internal sealed class DiscoveryServingCertificate(MeshCertificateAuthority ca, IOptions<ControlPlaneOptions> options, TimeProvider time)
{
    /// <summary>The name proxies verify by default (Istio's istiod SAN).</summary>
    public const string ServerName = "istiod.istio-system.svc";

    private readonly Lock _lock = new();
    private (SslStreamCertificateContext Context, DateTimeOffset RenewAt)? _current;

    /// <summary>The names the certificate carries.</summary>
    public IReadOnlyList<string> Names { get; } = NamesOf(options.Value);

    /// <summary>The certificate (with the CA chain up to the root) for the next handshake.</summary>
    public SslStreamCertificateContext Current
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_lock)
            {
                if (_current is not { } current || now >= current.RenewAt)
                {
                    current = Issue(now);
                    _current = current;
                }

                return current.Context;
            }
        }
    }

    private (SslStreamCertificateContext, DateTimeOffset) Issue(DateTimeOffset now)
    {
        var material = ca.Material;
        var lifetime = ca.DefaultLifetime;
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in Names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(name);
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = WorkloadCertificateSigner.Sign(material, new PublicKey(key), names, lifetime, now);
        // Kestrel's TLS needs the key in a certificate it can use for the server side: export and reload
        // as PKCS#12 (an ephemeral key pair cannot serve TLS on every platform).
        using var withKey = leaf.CopyWithPrivateKey(key);
        var serving = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        X509Certificate2[] chain = [.. material.IssuerChain, .. material.Roots.Take(1)];
        return (SslStreamCertificateContext.Create(serving, new X509Certificate2Collection(chain), offline: true), now + lifetime / 2);
    }

    private static List<string> NamesOf(ControlPlaneOptions options)
    {
        var names = new List<string>
        {
            ServerName,
            $"{ServerName}.cluster.local",
            "istiod.istio-system",
            "istiod",
            "localhost",
            IPAddress.Loopback.ToString(),
        };
        if (IPAddress.TryParse(options.BindAddress, out var bind) && !bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any))
        {
            names.Add(bind.ToString());
        }

        names.AddRange(options.DiscoveryTls.Names.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()));
        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}
