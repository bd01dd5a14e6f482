using System.Text.Json;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>
/// The request's authenticated end-user (a verified JWT): Istio's request.auth.* attributes —
/// principal (<c>&lt;iss&gt;/&lt;sub&gt;</c>), audiences, presenter (<c>azp</c>) and claims.
/// </summary>
internal sealed class JwtPrincipal
{
    public JwtPrincipal(string issuer, string subject, IReadOnlyList<string> audiences, string? presenter, JsonElement claims)
    {
        Issuer = issuer;
        Subject = subject;
        Principal = $"{issuer}/{subject}";
        Audiences = audiences;
        Presenter = presenter;
        Claims = claims;
    }

    public string Issuer { get; }

    public string Subject { get; }

    /// <summary><c>&lt;iss&gt;/&lt;sub&gt;</c>, what requestPrincipals name.</summary>
    public string Principal { get; }

    public IReadOnlyList<string> Audiences { get; }

    public string? Presenter { get; }

    /// <summary>The verified payload (a JSON object).</summary>
    public JsonElement Claims { get; }

    /// <summary>
    /// A claim's values by path (<c>["groups"]</c>, or <c>["nested", "key"]</c> for
    /// <c>request.auth.claims[nested][key]</c>): a string is one value, a list of strings its
    /// items, a number or boolean its text. Null when absent.
    /// </summary>
    public IReadOnlyList<string>? Claim(IReadOnlyList<string> path)
    {
        var current = Claims;
        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return ValuesOf(current);
    }

    internal static IReadOnlyList<string>? ValuesOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => [value.GetRawText()],
        JsonValueKind.Array => [.. value.EnumerateArray().Select(ScalarText).OfType<string>()],
        _ => null,
    };

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };
}
