using Mesh.Proxy.Core.Translation;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>Compiles the snapshot's JWT rules; bad key sets and URIs are NACKs naming the field.</summary>
internal static class JwtTranslator
{
    public static JwtRuleSet Translate(IReadOnlyList<Wire.JwtRule> rules, string path, TranslationErrors errors)
    {
        if (rules.Count == 0)
        {
            return JwtRuleSet.Empty;
        }

        var compiled = new List<JwtRuleModel>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var rulePath = $"{path}[{i}] ({rule.Policy})";
            JsonWebKeySet? keys = null;
            Uri? uri = null;
            if (rule.Jwks.Length > 0)
            {
                keys = JsonWebKeySet.Parse(rule.Jwks, out var error);
                if (keys is null)
                {
                    errors.Add($"{rulePath}.jwks", error!);
                    continue;
                }
            }
            else if (!Uri.TryCreate(rule.JwksUri, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"{rulePath}.jwks_uri", rule.JwksUri.Length == 0 ? "a rule needs jwks or jwks_uri" : $"'{rule.JwksUri}' is not an absolute http(s) URL");
                continue;
            }

            var locations = rule.FromHeaders.Select(h => new JwtLocation(JwtLocationKind.Header, h.Name.ToLowerInvariant(), h.Prefix))
                .Concat(rule.FromParams.Select(p => new JwtLocation(JwtLocationKind.Query, p)))
                .Concat(rule.FromCookies.Select(c => new JwtLocation(JwtLocationKind.Cookie, c)))
                .ToArray();
            compiled.Add(new JwtRuleModel
            {
                Issuer = rule.Issuer,
                Audiences = [.. rule.Audiences],
                Keys = keys,
                JwksUri = uri,
                Locations = locations.Length > 0 ? locations : JwtLocation.Defaults,
                OutputPayloadToHeader = rule.OutputPayloadToHeader.Length > 0 ? rule.OutputPayloadToHeader : null,
                ForwardOriginalToken = rule.ForwardOriginalToken,
                ClaimsToHeaders = [.. rule.OutputClaimToHeaders.Select(c => (c.Header, c.Claim))],
                Policy = rule.Policy,
            });
        }

        return new JwtRuleSet([.. compiled]);
    }
}
