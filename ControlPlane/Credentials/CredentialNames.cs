using System.Text.RegularExpressions;

namespace Mesh.ControlPlane.Credentials;

/// <summary>Credential names as Istio accepts them: a Kubernetes secret name, optionally prefixed <c>kubernetes://</c>.</summary>
internal static partial class CredentialNames
{
    /// <summary>Istio's companion secret holding a MUTUAL server's client CA: <c>&lt;credentialName&gt;-cacert</c>.</summary>
    public const string CaSuffix = "-cacert";

    private const string KubernetesPrefix = "kubernetes://";

    /// <summary>The bare secret name, or null when it is not a valid one (it then never resolves, and never names a path).</summary>
    public static string? Normalize(string credentialName)
    {
        var name = credentialName.StartsWith(KubernetesPrefix, StringComparison.Ordinal) ? credentialName[KubernetesPrefix.Length..] : credentialName;
        return name.Length is > 0 and <= 253 && SecretName().IsMatch(name) ? name : null;
    }

    // A DNS-1123 subdomain: what Kubernetes allows as a Secret name (no '/', no "..").
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
