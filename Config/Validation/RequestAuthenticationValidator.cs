using System.Text.Json;
using Mesh.Config.Model.Security;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>Istio's RequestAuthentication (JWT rule) checks.</summary>
internal static class RequestAuthenticationValidator
{
    public static void Validate(RequestAuthenticationConfig spec, ValidationContext context)
    {
        PolicyTargets.Validate(spec.Selector, spec.TargetRef, spec.TargetRefs, context);
        var issuers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < spec.JwtRules.Count; i++)
        {
            var rule = spec.JwtRules[i];
            var path = $"spec.jwtRules[{i}]";
            if (string.IsNullOrEmpty(rule.Issuer) && string.IsNullOrEmpty(rule.JwksUri))
            {
                context.Error($"{path}.issuer", "issuer or jwksUri must be non-empty string");
            }
            else if (!string.IsNullOrEmpty(rule.Issuer) && !issuers.Add(rule.Issuer))
            {
                context.Error($"{path}.issuer", $"duplicate issuer \"{rule.Issuer}\": the proxy keys JWT providers by issuer, so each issuer may appear once per policy");
            }

            for (var a = 0; a < rule.Audiences.Count; a++)
            {
                if (rule.Audiences[a].Length == 0)
                {
                    context.Error($"{path}.audiences[{a}]", "audience must be non-empty string");
                }
            }

            if (!string.IsNullOrEmpty(rule.JwksUri)
                && (!Uri.TryCreate(rule.JwksUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                context.Error($"{path}.jwksUri", $"invalid jwksUri \"{rule.JwksUri}\": must be an absolute http or https URL");
            }

            if (!string.IsNullOrEmpty(rule.Jwks))
            {
                ValidateJwks(rule.Jwks, $"{path}.jwks", context);
            }

            for (var h = 0; h < rule.FromHeaders.Count; h++)
            {
                if (string.IsNullOrEmpty(rule.FromHeaders[h].Name))
                {
                    context.Error($"{path}.fromHeaders[{h}].name", "location header name must be non-empty string");
                }
            }

            for (var p = 0; p < rule.FromParams.Count; p++)
            {
                if (rule.FromParams[p].Length == 0)
                {
                    context.Error($"{path}.fromParams[{p}]", "location query must be non-empty string");
                }
            }

            for (var c = 0; c < rule.FromCookies.Count; c++)
            {
                if (rule.FromCookies[c].Length == 0)
                {
                    context.Error($"{path}.fromCookies[{c}]", "cookie name must be non-empty string");
                }
            }

            for (var o = 0; o < rule.OutputClaimToHeaders.Count; o++)
            {
                var claim = rule.OutputClaimToHeaders[o];
                if (string.IsNullOrEmpty(claim.Claim) || string.IsNullOrEmpty(claim.Header))
                {
                    context.Error($"{path}.outputClaimToHeaders[{o}]", "outputClaimToHeaders header and claim value must be non-empty string");
                }
                else if (!System.Text.RegularExpressions.Regex.IsMatch(claim.Header, "^[-_A-Za-z0-9]+$"))
                {
                    context.Error($"{path}.outputClaimToHeaders[{o}].header", $"header name {claim.Header} is not a valid header name");
                }
            }

        }
    }

    private static void ValidateJwks(string jwks, string path, ValidationContext context)
    {
        try
        {
            using var document = JsonDocument.Parse(jwks);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                context.Error(path, "jwks parse error: expected a JSON Web Key Set object with a \"keys\" array");
            }
        }
        catch (JsonException ex)
        {
            context.Error(path, $"jwks parse error: {ex.Message}");
        }
    }
}
