using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>A compact JWS split and decoded, not yet verified.</summary>
internal sealed class JwtToken
{
    private JwtToken(string raw, string algorithm, string? keyId, JsonElement payload, string payloadSegment, byte[] signingInput, byte[] signature)
    {
        Raw = raw;
        Algorithm = algorithm;
        KeyId = keyId;
        Payload = payload;
        PayloadSegment = payloadSegment;
        SigningInput = signingInput;
        Signature = signature;
    }

    public string Raw { get; }

    public string Algorithm { get; }

    public string? KeyId { get; }

    public JsonElement Payload { get; }

    /// <summary>The base64url payload as sent (what outputPayloadToHeader forwards).</summary>
    public string PayloadSegment { get; }

    public byte[] SigningInput { get; }

    public byte[] Signature { get; }

    public string? Issuer => Payload.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;

    /// <summary>Null with Envoy's wording of what is wrong.</summary>
    public static JwtToken? Parse(string raw, out string? error)
    {
        var parts = raw.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            error = JwtErrors.BadFormat;
            return null;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var signature = Base64Url.DecodeFromChars(parts[2]);
            if (header.RootElement.ValueKind != JsonValueKind.Object || payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = JwtErrors.BadFormat;
                return null;
            }

            var alg = header.RootElement.TryGetProperty("alg", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
            if (alg is not ("RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" or "ES256" or "ES384" or "ES512" or "HS256" or "HS384" or "HS512"))
            {
                error = JwtErrors.AlgorithmNotImplemented;
                return null;
            }

            var kid = header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            error = null;
            return new JwtToken(raw, alg, kid, payload.RootElement.Clone(), parts[1], Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            error = JwtErrors.BadFormat;
            return null;
        }
    }
}

/// <summary>Envoy's jwt_authn failure texts, which are also the 401 bodies.</summary>
internal static class JwtErrors
{
    public const string BadFormat = "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections";
    public const string AlgorithmNotImplemented = "Jwt algorithm is not implemented";
    public const string UnknownIssuer = "Jwt issuer is not configured";
    public const string Expired = "Jwt is expired";
    public const string NotYetValid = "Jwt not yet valid";
    public const string AudienceNotAllowed = "Audiences in Jwt are not allowed";
    public const string VerificationFailed = "Jwt verification fails";
    public const string NoMatchingKey = "Jwks doesn't have key to match kid or alg from Jwt";
    public const string JwksFetchFailed = "Jwks remote fetch is failed";
}
