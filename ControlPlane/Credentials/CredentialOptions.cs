namespace Mesh.ControlPlane.Credentials;

/// <summary>
/// Where named TLS credentials (Istio's <c>credentialName</c>, Kubernetes TLS secrets in Istio) are
/// kept locally, bound from <c>ControlPlane:Credentials</c> (environment <c>ControlPlane__Credentials__...</c>).
/// </summary>
internal sealed class CredentialOptions
{
    public const string SectionName = "ControlPlane:Credentials";

    /// <summary>One sub-directory per credential; default <c>&lt;data directory&gt;/credentials</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Local development: a SIMPLE Gateway server whose credential does not exist gets a generated
    /// self-signed certificate for localhost (and the server's hosts), persisted in the credential
    /// directory so it stays the same across restarts. Off by default; the AppHost turns it on.
    /// </summary>
    public bool GenerateSelfSigned { get; set; }

    /// <summary>Re-read the directory this often even without file events (file systems that deliver none). Zero disables it.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Quiet period after a file event before the directory is re-read.</summary>
    public TimeSpan FileDebounce { get; set; } = TimeSpan.FromMilliseconds(100);
}
