namespace Mesh.ControlPlane.Identity;

/// <summary>
/// A workload identity <c>spiffe://&lt;trust-domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service-account&gt;</c>,
/// the only URI SAN the mesh CA puts into workload certificates.
/// </summary>
internal sealed record SpiffeId(string TrustDomain, string Namespace, string ServiceAccount)
{
    public const string Scheme = "spiffe://";

    public override string ToString() => $"{Scheme}{TrustDomain}/ns/{Namespace}/sa/{ServiceAccount}";

    /// <summary>Parses the mesh's SPIFFE form; anything else (other paths, query, fragment, empty parts) is refused.</summary>
    public static bool TryParse(string? text, out SpiffeId? id)
    {
        id = null;
        if (text is null || !text.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = text[Scheme.Length..].Split('/');
        if (parts is not [{ Length: > 0 } trustDomain, "ns", { Length: > 0 } ns, "sa", { Length: > 0 } sa]
            || text.IndexOfAny(['?', '#', '%']) >= 0)
        {
            return false;
        }

        id = new SpiffeId(trustDomain, ns, sa);
        return true;
    }
}
