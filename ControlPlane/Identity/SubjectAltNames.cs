using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.ControlPlane.Identity;

/// <summary>
/// Reads the subjectAltName extension (RFC 5280 §4.2.1.6). .NET exposes DNS names and IP
/// addresses of it but not URIs, and a SPIFFE identity is a URI SAN.
/// </summary>
internal static class SubjectAltNames
{
    public const string Oid = "2.5.29.17";

    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>Every name of the extension: URIs as-is, other kinds counted so callers can refuse them.</summary>
    public static (IReadOnlyList<string> Uris, int OtherNames) Read(X509Extension extension)
    {
        var uris = new List<string>();
        var others = 0;
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
        var names = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        while (names.HasData)
        {
            if (names.PeekTag() == UriTag)
            {
                uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
            }
            else
            {
                names.ReadEncodedValue();
                others++;
            }
        }

        return (uris, others);
    }

    public static X509Extension? Find(IEnumerable<X509Extension> extensions) =>
        extensions.FirstOrDefault(e => e.Oid?.Value == Oid);
}
