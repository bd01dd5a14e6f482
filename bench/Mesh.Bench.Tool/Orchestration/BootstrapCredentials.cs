using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mesh.Bench.Tool.Orchestration;

/// <summary>
/// The run's bootstrap key and the per-workload tokens minted with it, as the Aspire hosting does
/// (docs/security.md §2): the data-path control plane gets the key, every proxy a token for its
/// own identity, so the proxies obtain workload certificates from the mesh CA (without one a
/// sidecar NACKs its first snapshot) and mTLS is the real thing.
/// </summary>
public sealed class BootstrapCredentials
{
    public string Key { get; } = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>An HS256 JWT {iss: mesh-bootstrap, aud: mesh-controlplane, sub: system:serviceaccount:ns:sa, mesh_node}.</summary>
    public string TokenFor(string @namespace, string serviceAccount, string nodeId)
    {
        var header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
        var claims = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "mesh-bootstrap",
            ["aud"] = "mesh-controlplane",
            ["sub"] = $"system:serviceaccount:{@namespace}:{serviceAccount}",
            ["mesh_node"] = nodeId,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.ASCII.GetBytes($"{header}.{claims}"));
        return $"{header}.{claims}.{Base64Url.EncodeToString(signature)}";
    }
}
