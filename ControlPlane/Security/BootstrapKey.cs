using System.Text;
using Mesh.ControlPlane.Common;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// The secret bootstrap tokens are signed with (<see cref="SecurityOptions"/>): the configured
/// key, the key file, or a key generated into <c>&lt;data&gt;/bootstrap-key</c>. Null when none is
/// configured: then no bootstrap token is valid and the discovery stream is not authenticated.
/// </summary>
internal sealed class BootstrapKey
{
    public const string FileName = "bootstrap-key";

    public BootstrapKey(IOptions<SecurityOptions> options, IOptions<ControlPlaneOptions> controlPlane)
    {
        var settings = options.Value;
        var text = !string.IsNullOrWhiteSpace(settings.BootstrapKey) ? settings.BootstrapKey.Trim()
            : !string.IsNullOrWhiteSpace(settings.BootstrapKeyFile) ? ReadFile(settings.BootstrapKeyFile)
            : settings.GenerateBootstrapKey ? SecretFile.ReadOrCreate(Path.Combine(controlPlane.Value.DataDirectory, FileName))
            : null;
        Value = text is null ? null : Encoding.UTF8.GetBytes(text);
    }

    public byte[]? Value { get; }

    public bool IsConfigured => Value is not null;

    private static string ReadFile(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length >= 16
                ? text
                : throw new InvalidOperationException($"ControlPlane:Security:BootstrapKeyFile {path} holds {text.Length} characters; a bootstrap key needs at least 16");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read ControlPlane:Security:BootstrapKeyFile {path}: {ex.Message}", ex);
        }
    }
}
