using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// The roots this proxy trusts for mesh peers (<c>ProxySnapshot.trust_bundle_pem</c>). The first
/// root is the CA's current one; more may be trusted while a root rotation rolls out.
/// </summary>
public sealed class TrustBundle
{
    private TrustBundle(X509Certificate2Collection roots, string key)
    {
        Roots = roots;
        Key = key;
    }

    public X509Certificate2Collection Roots { get; }

    /// <summary>Identifies the set of roots (unchanged bundles are not re-applied).</summary>
    public string Key { get; }

    public X509Certificate2 Current => Roots[0];

    /// <summary>Parses PEM roots; the error names the entry that is not a certificate.</summary>
    public static TrustBundle? Parse(IReadOnlyList<string> pems, out string? error)
    {
        error = null;
        var roots = new X509Certificate2Collection();
        for (var i = 0; i < pems.Count; i++)
        {
            try
            {
                var before = roots.Count;
                roots.ImportFromPem(pems[i]);
                if (roots.Count == before)
                {
                    error = $"trust_bundle_pem[{i}]: holds no PEM certificate";
                    return null;
                }
            }
            catch (CryptographicException ex)
            {
                error = $"trust_bundle_pem[{i}]: not a PEM certificate ({ex.Message})";
                return null;
            }
        }

        if (roots.Count == 0)
        {
            error = "trust_bundle_pem: empty";
            return null;
        }

        return new TrustBundle(roots, string.Join(",", roots.Select(r => r.Thumbprint)));
    }
}
