using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>
/// One verification key of a JSON Web Key Set: RSA (RS*/PS*), EC (ES*) or a symmetric key (HS*).
/// The platform key is created once per key set, not per request.
/// </summary>
internal sealed class JwtKey
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;
    private readonly byte[]? _secret;

    private JwtKey(string? keyId, string? algorithm, RSA? rsa, ECDsa? ec, byte[]? secret)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        _rsa = rsa;
        _ec = ec;
        _secret = secret;
    }

    public string? KeyId { get; }

    /// <summary>The key's <c>alg</c>, when the set names one; the token's alg must then equal it.</summary>
    public string? Algorithm { get; }

    /// <summary>Whether this key can check a signature made with <paramref name="algorithm"/>.</summary>
    public bool Supports(string algorithm) =>
        (Algorithm is null || Algorithm == algorithm) && algorithm[..2] switch
        {
            "RS" or "PS" => _rsa is not null,
            "ES" => _ec is not null && _ec.KeySize == algorithm[2..] switch { "256" => 256, "384" => 384, "512" => 521, _ => -1 },
            "HS" => _secret is not null,
            _ => false,
        };

    public bool Verify(string algorithm, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        var hash = algorithm[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => default,
        };
        if (hash == default)
        {
            return false;
        }

        return algorithm[..2] switch
        {
            "RS" => _rsa!.VerifyData(signingInput, signature, hash, RSASignaturePadding.Pkcs1),
            "PS" => _rsa!.VerifyData(signingInput, signature, hash, RSASignaturePadding.Pss),
            "ES" => _ec!.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "HS" => VerifyHmac(hash, signingInput, signature),
            _ => false,
        };
    }

    private bool VerifyHmac(HashAlgorithmName hash, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        Span<byte> expected = stackalloc byte[64];
        var written = hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(_secret, signingInput, expected)
            : hash == HashAlgorithmName.SHA384 ? HMACSHA384.HashData(_secret, signingInput, expected)
            : HMACSHA512.HashData(_secret, signingInput, expected);
        return CryptographicOperations.FixedTimeEquals(expected[..written], signature);
    }

    /// <summary>Reads one JWK; null (with the reason) for unsupported or malformed keys.</summary>
    public static JwtKey? FromJwk(JsonElement jwk, out string? error)
    {
        error = null;
        var kid = Text(jwk, "kid");
        var alg = Text(jwk, "alg");
        if (Text(jwk, "use") is { } use && use != "sig")
        {
            error = $"key '{kid}' is for use '{use}', not 'sig'";
            return null;
        }

        try
        {
            switch (Text(jwk, "kty"))
            {
                case "RSA":
                    var rsa = RSA.Create();
                    rsa.ImportParameters(new RSAParameters { Modulus = Bytes(jwk, "n"), Exponent = Bytes(jwk, "e") });
                    return new JwtKey(kid, alg, rsa, null, null);
                case "EC":
                    var curve = Text(jwk, "crv") switch
                    {
                        "P-256" => ECCurve.NamedCurves.nistP256,
                        "P-384" => ECCurve.NamedCurves.nistP384,
                        "P-521" => ECCurve.NamedCurves.nistP521,
                        var other => throw new FormatException($"curve '{other}' is not supported"),
                    };
                    var ec = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = Bytes(jwk, "x"), Y = Bytes(jwk, "y") } });
                    return new JwtKey(kid, alg, null, ec, null);
                case "oct":
                    return new JwtKey(kid, alg, null, null, Bytes(jwk, "k"));
                case var kty:
                    error = $"key '{kid}' has kty '{kty}'; RSA, EC and oct are supported";
                    return null;
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or KeyNotFoundException)
        {
            error = $"key '{kid}' is not a valid JWK: {ex.Message}";
            return null;
        }
    }

    private static string? Text(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Bytes(JsonElement jwk, string name) =>
        Text(jwk, name) is { Length: > 0 } text ? Base64Url.DecodeFromChars(text) : throw new FormatException($"'{name}' is missing");
}
