using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.Security.Certificates;

/// <summary>
/// The proxy's credential for the control plane (<c>Mesh:ControlPlane:Token</c>, or the token file,
/// re-read every time because projected service account tokens rotate).
/// </summary>
internal static class ControlPlaneCredential
{
    public static async Task<string?> ReadAsync(ControlPlaneOptions options, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.Token) || string.IsNullOrEmpty(options.TokenFile))
        {
            return options.Token;
        }

        try
        {
            return (await File.ReadAllTextAsync(options.TokenFile, cancellationToken)).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the control plane token file {options.TokenFile}: {ex.Message}", ex);
        }
    }
}
