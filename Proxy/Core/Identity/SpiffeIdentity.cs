using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>
/// A peer's SPIFFE identity read from its certificate's URI SAN, in the forms authorization uses:
/// the principal (<c>cluster.local/ns/default/sa/reviews</c>, Istio's source.principal) and the namespace.
/// </summary>
public sealed class SpiffeIdentity
{
    private const string Scheme = "spiffe://";
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    private SpiffeIdentity(string uri, string principal, string trustDomain, string? @namespace)
    {
        Uri = uri;
        Principal = principal;
        TrustDomain = trustDomain;
        Namespace = @namespace;
    }

    /// <summary><c>spiffe://cluster.local/ns/default/sa/reviews</c>.</summary>
    public string Uri { get; }

    /// <summary>The URI without its scheme, as AuthorizationPolicy principals name it.</summary>
    public string Principal { get; }

    public string TrustDomain { get; }

    /// <summary>From <c>/ns/&lt;namespace&gt;/</c>; null for SPIFFE ids of another shape.</summary>
    public string? Namespace { get; }

    public override string ToString() => Uri;

    public static SpiffeIdentity? Parse(string uri)
    {
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal) || uri.Length == Scheme.Length)
        {
            return null;
        }

        var principal = uri[Scheme.Length..];
        var parts = principal.Split('/');
        if (parts[0].Length == 0)
        {
            return null;
        }

        var ns = parts.Length >= 3 && parts[1] == "ns" && parts[2].Length > 0 ? parts[2] : null;
        return new SpiffeIdentity(uri, principal, parts[0], ns);
    }

    /// <summary>The certificate's single SPIFFE URI SAN; null when it has none or several.</summary>
    public static SpiffeIdentity? From(X509Certificate2 certificate)
    {
        string? found = null;
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }

            try
            {
                var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (names.HasData)
                {
                    if (names.PeekTag() != UriTag)
                    {
                        names.ReadEncodedValue();
                        continue;
                    }

                    var uri = names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag);
                    if (uri.StartsWith(Scheme, StringComparison.Ordinal))
                    {
                        if (found is not null)
                        {
                            return null;
                        }

                        found = uri;
                    }
                }
            }
            catch (AsnContentException)
            {
                return null;
            }
        }

        return found is null ? null : Parse(found);
    }
}
