using System.Collections.Frozen;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// The named credentials of one read of the credential directory (immutable). Lookups follow
/// Istio's secret conventions: <c>tls.crt</c>/<c>tls.key</c>/<c>ca.crt</c> (a Kubernetes TLS
/// secret) or <c>cert</c>/<c>key</c>/<c>cacert</c> (a generic secret), with the client CA of a
/// MUTUAL server either in the credential itself or in a credential named <c>&lt;name&gt;-cacert</c>.
/// </summary>
internal sealed class CredentialSetModel
{
    internal CredentialSetModel(long version, FrozenDictionary<string, CredentialFiles> credentials)
    {
        Version = version;
        Credentials = credentials;
    }

    public static CredentialSetModel Empty { get; } = new(0, FrozenDictionary<string, CredentialFiles>.Empty);

    /// <summary>Grows by one whenever the content of the credentials changes.</summary>
    public long Version { get; }

    /// <summary>What each credential directory holds, by credential name.</summary>
    public FrozenDictionary<string, CredentialFiles> Credentials { get; }

    /// <summary>
    /// The PEM material for a credentialName (<c>kubernetes://</c> prefix allowed), or null when it
    /// has no certificate and key. The CA may come from the <c>-cacert</c> companion.
    /// </summary>
    public TlsCredential? Find(string credentialName)
    {
        var name = CredentialNames.Normalize(credentialName);
        if (name is null || !Credentials.TryGetValue(name, out var files) || files.Certificate is null || files.PrivateKey is null)
        {
            return null;
        }

        var ca = files.CaCertificates
            ?? (Credentials.TryGetValue(name + CredentialNames.CaSuffix, out var companion) ? companion.CaCertificates : null);
        return new TlsCredential(files.Certificate, files.PrivateKey, ca);
    }

    public bool Contains(string credentialName) => Find(credentialName) is not null;
}
