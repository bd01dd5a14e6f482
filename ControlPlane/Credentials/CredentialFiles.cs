namespace Mesh.ControlPlane.Credentials;

/// <summary>The PEM texts one credential directory holds (null for a file it does not have).</summary>
internal sealed record CredentialFiles(string? Certificate, string? PrivateKey, string? CaCertificates);
