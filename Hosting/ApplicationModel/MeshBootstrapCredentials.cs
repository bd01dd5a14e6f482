using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mesh.Hosting.ApplicationModel;

/// <summary>
/// Outside Kubernetes there are no service account tokens, so the hosting gives each proxy a
/// bootstrap token for its own workload identity, minted with a key only the control plane and
/// the AppHost know (<c>&lt;data&gt;/bootstrap-key</c>, mode 0600, created on first run). The
/// control plane's CSR API signs only the identity a token names and its discovery stream accepts a
/// proxy only as that identity. The format is the control plane's <c>BootstrapToken</c>: an HS256
/// JWT {iss: mesh-bootstrap, aud: mesh-controlplane, sub: system:serviceaccount:&lt;ns&gt;:&lt;sa&gt;, mesh_node}.
/// </summary>
internal static class MeshBootstrapCredentials
{
    public const string KeyFileName = "bootstrap-key";

    /// <summary>The key file of this control plane's data directory, created when missing.</summary>
    public static string EnsureKeyFile(MeshControlPlaneResource mesh)
    {
        var path = Path.Combine(mesh.DataDirectory, KeyFileName);
        ReadOrCreateKey(path);
        return path;
    }

    public static string TokenFor(MeshControlPlaneResource mesh, string @namespace, string serviceAccount, string nodeId)
    {
        var key = Encoding.UTF8.GetBytes(ReadOrCreateKey(EnsureKeyFile(mesh)));
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "mesh-bootstrap",
            ["aud"] = "mesh-controlplane",
            ["sub"] = $"system:serviceaccount:{@namespace}:{serviceAccount}",
            ["mesh_node"] = nodeId,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{claims}"));
        return $"{header}.{claims}.{Base64Url.EncodeToString(signature)}";
    }

    private static string ReadOrCreateKey(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, Encoding.ASCII, options))
        {
            writer.Write(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)) + "\n");
        }

        try
        {
            // Environment callbacks of several resources may race here: the first key written wins.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temporary);
        }

        return File.ReadAllText(path).Trim();
    }
}
