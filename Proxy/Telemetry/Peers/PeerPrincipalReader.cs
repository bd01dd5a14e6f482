using System.Formats.Asn1;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Telemetry.Peers;

/// <summary>
/// The caller's SPIFFE principal from the client certificate of an mTLS connection (Istio's
/// <c>source_principal</c>), read once per certificate: a connection reuses its certificate object
/// for every request, and the weak table drops it with the connection.
/// </summary>
internal static class PeerPrincipalReader
{
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly ConditionalWeakTable<X509Certificate2, string> Principals = new();
    private const string NoPrincipal = "";

    /// <summary>The caller's SPIFFE id when the request arrived over TLS with a client certificate, else null.</summary>
    public static string? Read(HttpContext context)
    {
        var certificate = context.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        if (certificate is null)
        {
            return null;
        }

        if (!Principals.TryGetValue(certificate, out var principal))
        {
            principal = SpiffeUri(certificate) ?? NoPrincipal;
            Principals.AddOrUpdate(certificate, principal);
        }

        return principal.Length == 0 ? null : principal;
    }

    /// <summary>Whether the request's connection is mutual TLS (a verified client certificate was presented).</summary>
    public static bool IsMutualTls(HttpContext context) => context.Features.Get<ITlsConnectionFeature>()?.ClientCertificate is not null;

    public static string? SpiffeUri(X509Certificate2 certificate)
    {
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
                    if (uri.StartsWith("spiffe://", StringComparison.Ordinal))
                    {
                        return uri;
                    }
                }
            }
            catch (AsnContentException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>The namespace of a <c>spiffe://td/ns/&lt;namespace&gt;/sa/&lt;account&gt;</c> id.</summary>
    public static string? NamespaceOf(string principal)
    {
        var parts = principal.Split('/');
        return parts.Length >= 6 && parts[3] == "ns" && parts[4].Length > 0 ? parts[4] : null;
    }
}
