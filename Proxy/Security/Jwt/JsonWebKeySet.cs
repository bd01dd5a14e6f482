using System.Text.Json;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>A parsed JSON Web Key Set (RFC 7517). Keys of unsupported types are skipped as Envoy skips them.</summary>
internal sealed class JsonWebKeySet
{
    private JsonWebKeySet(JwtKey[] keys)
    {
        Keys = keys;
    }

    public JwtKey[] Keys { get; }

    /// <summary>Null with an error when the text is not a key set with at least one usable key.</summary>
    public static JsonWebKeySet? Parse(string json, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                error = "not a JSON Web Key Set (an object with a \"keys\" array)";
                return null;
            }

            var parsed = new List<JwtKey>();
            string? firstProblem = null;
            foreach (var jwk in keys.EnumerateArray())
            {
                if (jwk.ValueKind != JsonValueKind.Object)
                {
                    firstProblem ??= "a key is not a JSON object";
                }
                else if (JwtKey.FromJwk(jwk, out var problem) is { } key)
                {
                    parsed.Add(key);
                }
                else
                {
                    firstProblem ??= problem;
                }
            }

            error = parsed.Count == 0 ? $"no usable key ({firstProblem ?? "the set is empty"})" : null;
            return parsed.Count == 0 ? null : new JsonWebKeySet([.. parsed]);
        }
        catch (JsonException ex)
        {
            error = $"not JSON: {ex.Message}";
            return null;
        }
    }
}
