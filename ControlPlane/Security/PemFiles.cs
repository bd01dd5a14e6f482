namespace Mesh.ControlPlane.Security;

/// <summary>
/// Reads the certificate and key files DestinationRules and Gateways name (<c>caCertificates</c>,
/// <c>clientCertificate</c>, <c>privateKey</c>, <c>serverCertificate</c>) so their PEM travels in
/// snapshots. Relative paths are resolved against the config directory. Files under the control
/// plane's data directory are never read — it holds the CA key, the bootstrap key and the admin
/// token, which no config may copy into a snapshot — and neither is anything that is not PEM.
/// </summary>
internal static class PemFiles
{
    private const long MaxLength = 1024 * 1024;

    public static Func<string, string?> Reader(string? configDirectory, string dataDirectory)
    {
        var baseDirectory = configDirectory is { Length: > 0 } ? Path.GetFullPath(configDirectory) : Directory.GetCurrentDirectory();
        var protectedDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory)) + Path.DirectorySeparatorChar;
        return path =>
        {
            var full = Path.GetFullPath(path, baseDirectory);
            if (full.StartsWith(protectedDirectory, StringComparison.Ordinal))
            {
                return null;
            }

            try
            {
                var file = new FileInfo(full);
                if (!file.Exists || file.Length > MaxLength)
                {
                    return null;
                }

                var text = File.ReadAllText(full);
                return text.Contains("-----BEGIN ", StringComparison.Ordinal) ? text : null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        };
    }
}
