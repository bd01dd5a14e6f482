using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Mesh.Proxy.Core.Identity;

/// <summary>The subject alternative names of a server certificate (DNS, IP, URI), for DestinationRule subjectAltNames checks.</summary>
public static class CertificateNames
{
    private static readonly Asn1Tag DnsTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag IpTag = new(TagClass.ContextSpecific, 7);

    public static List<string> Of(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }

            try
            {
                var sequence = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (sequence.HasData)
                {
                    var tag = sequence.PeekTag();
                    if (tag == DnsTag || tag == UriTag)
                    {
                        names.Add(sequence.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    }
                    else if (tag == IpTag)
                    {
                        names.Add(new System.Net.IPAddress(sequence.ReadOctetString(tag)).ToString());
                    }
                    else
                    {
                        sequence.ReadEncodedValue();
                    }
                }
            }
            catch (AsnContentException)
            {
                // A malformed SAN extension names nothing.
            }
        }

        return names;
    }

    /// <summary>Whether a certificate name matches an expected one (DNS wildcards "*.example.com" match one label).</summary>
    public static bool Matches(string name, string expected)
    {
        if (string.Equals(name, expected, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            var dot = expected.IndexOf('.');
            return dot > 0 && string.Equals(name[1..], expected[dot..], StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }
}
