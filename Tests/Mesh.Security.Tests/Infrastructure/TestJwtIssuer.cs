using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>An identity provider for tests: an RSA signing key, its JWKS, and RS256 tokens with chosen claims.</summary>
public sealed class TestJwtIssuer : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    public TestJwtIssuer(string issuer, string keyId = "key-1")
    {
        Issuer = issuer;
        KeyId = keyId;
    }

    public string Issuer { get; }

    public string KeyId { get; }

    public string Jwks
    {
        get
        {
            var parameters = _key.ExportParameters(false);
            return JsonSerializer.Serialize(new
            {
                keys = new[]
                {
                    new { kty = "RSA", kid = KeyId, alg = "RS256", use = "sig", n = Base64Url.EncodeToString(parameters.Modulus), e = Base64Url.EncodeToString(parameters.Exponent) },
                },
            });
        }
    }

    /// <summary>A token for <paramref name="subject"/>, valid for an hour unless <paramref name="expires"/> says otherwise.</summary>
    public string Token(string subject = "testing@secure.istio.io", object? audience = null, DateTimeOffset? expires = null, string? issuer = null, IReadOnlyDictionary<string, object>? claims = null)
    {
        var payload = new Dictionary<string, object>
        {
            ["iss"] = issuer ?? Issuer,
            ["sub"] = subject,
            ["iat"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(),
            ["exp"] = (expires ?? DateTimeOffset.UtcNow.AddHours(1)).ToUnixTimeSeconds(),
        };
        if (audience is not null)
        {
            payload["aud"] = audience;
        }

        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            payload[name] = value;
        }

        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = KeyId }));
        var body = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = _key.SignData(Encoding.ASCII.GetBytes($"{header}.{body}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{body}.{Base64Url.EncodeToString(signature)}";
    }

    public void Dispose() => _key.Dispose();
}
