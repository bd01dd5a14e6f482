using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mesh.ControlPlane.Security;

/// <summary>
/// A workload's bootstrap credential outside Kubernetes: a JWT signed with HMAC-SHA256 under the
/// control plane's bootstrap key, naming one workload —
/// <c>{"iss":"mesh-bootstrap","aud":"mesh-controlplane","sub":"system:serviceaccount:&lt;ns&gt;:&lt;sa&gt;","mesh_node":"&lt;node id&gt;","iat":…}</c>
/// (<c>mesh_node</c>, <c>mesh_workload_group</c> and <c>exp</c> optional). A token bound to a
/// WorkloadGroup (what <c>meshctl workload entry configure</c> gets for a VM) entitles only a proxy
/// that registers from that group. The subject has the shape of a Kubernetes service
/// account user, so both credentials mean the same thing. Whoever holds the key can mint a token for
/// any workload; a token only ever entitles its holder to the identity inside it.
/// </summary>
internal static class BootstrapToken
{
    public const string Issuer = "mesh-bootstrap";
    public const string Audience = "mesh-controlplane";
    public const string NodeClaim = "mesh_node";
    public const string WorkloadGroupClaim = "mesh_workload_group";
    private const string SubjectPrefix = "system:serviceaccount:";
    private const string Header = """{"alg":"HS256","typ":"JWT"}""";

    public static string Mint(ReadOnlySpan<byte> key, string @namespace, string serviceAccount, string? nodeId, DateTimeOffset issuedAt, DateTimeOffset? expires = null, string? workloadGroup = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("iss", Issuer);
            json.WriteString("aud", Audience);
            json.WriteString("sub", $"{SubjectPrefix}{@namespace}:{serviceAccount}");
            if (!string.IsNullOrEmpty(nodeId))
            {
                json.WriteString(NodeClaim, nodeId);
            }

            if (!string.IsNullOrEmpty(workloadGroup))
            {
                json.WriteString(WorkloadGroupClaim, workloadGroup);
            }

            json.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            if (expires is { } exp)
            {
                json.WriteNumber("exp", exp.ToUnixTimeSeconds());
            }

            json.WriteEndObject();
        }

        var signingInput = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Header))}.{Base64Url.EncodeToString(buffer.ToArray())}";
        return $"{signingInput}.{Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)))}";
    }

    public static WorkloadCredentialResult Validate(ReadOnlySpan<byte> key, string token, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return WorkloadCredentialResult.Fail("the bootstrap token is not a JWT");
        }

        byte[] signature;
        byte[] header;
        byte[] payload;
        try
        {
            header = Base64Url.DecodeFromChars(parts[0]);
            payload = Base64Url.DecodeFromChars(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return WorkloadCredentialResult.Fail("the bootstrap token is not a JWT (bad base64url)");
        }

        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return WorkloadCredentialResult.Fail("the bootstrap token's signature does not verify with this control plane's bootstrap key");
        }

        try
        {
            using var headerJson = JsonDocument.Parse(header);
            if (!headerJson.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
            {
                return WorkloadCredentialResult.Fail("the bootstrap token must be signed with HS256");
            }

            using var claims = JsonDocument.Parse(payload);
            var root = claims.RootElement;
            if (String(root, "iss") != Issuer || String(root, "aud") != Audience)
            {
                return WorkloadCredentialResult.Fail($"the token is not a mesh bootstrap token (iss must be '{Issuer}', aud '{Audience}')");
            }

            if (root.TryGetProperty("exp", out var exp) && (!exp.TryGetInt64(out var expSeconds) || DateTimeOffset.FromUnixTimeSeconds(expSeconds) <= now))
            {
                return WorkloadCredentialResult.Fail("the bootstrap token has expired");
            }

            var subject = String(root, "sub");
            if (subject is null || !subject.StartsWith(SubjectPrefix, StringComparison.Ordinal)
                || subject[SubjectPrefix.Length..].Split(':') is not [{ Length: > 0 } ns, { Length: > 0 } account])
            {
                return WorkloadCredentialResult.Fail("the bootstrap token's subject must be system:serviceaccount:<namespace>:<name>");
            }

            return WorkloadCredentialResult.Success(new WorkloadCredential(ns, account, String(root, NodeClaim), String(root, WorkloadGroupClaim)));
        }
        catch (JsonException)
        {
            return WorkloadCredentialResult.Fail("the bootstrap token's header or claims are not JSON");
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
