using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>
/// RequestAuthentication as Envoy's jwt_authn runs it for Istio: tokens are taken from every
/// location the rules name; a request without any passes with no end-user (authorization
/// decides whether one is required); every token found must be valid for a rule of its issuer
/// (signature with the rule's keys, exp/nbf with 60 s of clock skew, audiences) or the request
/// gets 401. A valid token's payload/claims are copied to the rule's output headers and, unless
/// forwardOriginalToken, the token header is removed before the request reaches the app.
/// </summary>
internal sealed class JwtAuthenticator
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private readonly JwksProvider _jwks;
    private readonly TimeProvider _time;

    public JwtAuthenticator(JwksProvider jwks, TimeProvider time)
    {
        _jwks = jwks;
        _time = time;
    }

    public async ValueTask<JwtOutcome> AuthenticateAsync(HttpContext context, JwtRuleSet rules)
    {
        var request = context.Request;
        List<Found>? found = null;
        foreach (var rule in rules.Rules)
        {
            foreach (var location in rule.Locations)
            {
                if (Extract(request, location) is { } token)
                {
                    found ??= [];
                    found.Add(new Found(token, rule, location));
                }
            }
        }

        if (found is null)
        {
            return JwtOutcome.Anonymous;
        }

        JwtPrincipal? principal = null;
        var verified = new List<(JwtToken Token, JwtRuleModel Rule)>();
        foreach (var group in found.GroupBy(f => f.Token, StringComparer.Ordinal))
        {
            var token = JwtToken.Parse(group.Key, out var error);
            if (token is null)
            {
                return new JwtOutcome(null, error);
            }

            var candidates = group.Where(f => f.Rule.Accepts(token.Issuer)).Select(f => f.Rule).Distinct().ToList();
            if (candidates.Count == 0)
            {
                return new JwtOutcome(null, JwtErrors.UnknownIssuer);
            }

            string? failure = null;
            JwtRuleModel? accepted = null;
            foreach (var rule in candidates)
            {
                failure = await VerifyAsync(token, rule);
                if (failure is null)
                {
                    accepted = rule;
                    break;
                }
            }

            if (accepted is null)
            {
                return new JwtOutcome(null, failure);
            }

            verified.Add((token, accepted));
            principal ??= PrincipalOf(token);
        }

        foreach (var (token, rule) in verified)
        {
            Output(request, token, rule, found);
        }

        return new JwtOutcome(principal, null);
    }

    private async ValueTask<string?> VerifyAsync(JwtToken token, JwtRuleModel rule)
    {
        var keys = rule.Keys ?? await _jwks.GetAsync(rule.JwksUri!, unknownKey: false);
        if (keys is null)
        {
            return JwtErrors.JwksFetchFailed;
        }

        var signature = CheckSignature(token, keys);
        if (signature == SignatureCheck.NoKey && rule.JwksUri is not null
            && await _jwks.GetAsync(rule.JwksUri, unknownKey: true) is { } refreshed && !ReferenceEquals(refreshed, keys))
        {
            // The issuer may have rotated its keys since the set was fetched.
            signature = CheckSignature(token, refreshed);
        }

        if (signature != SignatureCheck.Valid)
        {
            return signature == SignatureCheck.NoKey ? JwtErrors.NoMatchingKey : JwtErrors.VerificationFailed;
        }

        var now = _time.GetUtcNow();
        if (NumericClaim(token.Payload, "exp") is { } exp && now > DateTimeOffset.FromUnixTimeSeconds(exp) + ClockSkew)
        {
            return JwtErrors.Expired;
        }

        if (NumericClaim(token.Payload, "nbf") is { } nbf && now + ClockSkew < DateTimeOffset.FromUnixTimeSeconds(nbf))
        {
            return JwtErrors.NotYetValid;
        }

        if (rule.Audiences.Length > 0 && !Audiences(token.Payload).Any(a => rule.Audiences.Contains(a, StringComparer.Ordinal)))
        {
            return JwtErrors.AudienceNotAllowed;
        }

        return null;
    }

    private static SignatureCheck CheckSignature(JwtToken token, JsonWebKeySet keys)
    {
        var anyKey = false;
        foreach (var key in keys.Keys)
        {
            if ((token.KeyId is not null && key.KeyId is not null && key.KeyId != token.KeyId) || !key.Supports(token.Algorithm))
            {
                continue;
            }

            anyKey = true;
            if (key.Verify(token.Algorithm, token.SigningInput, token.Signature))
            {
                return SignatureCheck.Valid;
            }
        }

        return anyKey ? SignatureCheck.Invalid : SignatureCheck.NoKey;
    }

    private static JwtPrincipal PrincipalOf(JwtToken token) => new(
        token.Issuer ?? "",
        token.Payload.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String ? sub.GetString()! : "",
        Audiences(token.Payload),
        token.Payload.TryGetProperty("azp", out var azp) && azp.ValueKind == JsonValueKind.String ? azp.GetString() : null,
        token.Payload);

    private static void Output(HttpRequest request, JwtToken token, JwtRuleModel rule, List<Found> found)
    {
        if (rule.OutputPayloadToHeader is { } payloadHeader)
        {
            request.Headers[payloadHeader] = token.PayloadSegment;
        }

        foreach (var (header, claim) in rule.ClaimsToHeaders)
        {
            if (token.Payload.TryGetProperty(claim, out var value) && value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
            {
                request.Headers[header] = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            }
        }

        if (!rule.ForwardOriginalToken)
        {
            foreach (var location in found.Where(f => f.Rule == rule && f.Token == token.Raw && f.Location.Kind == JwtLocationKind.Header).Select(f => f.Location))
            {
                request.Headers.Remove(location.Name);
            }
        }
    }

    private static string? Extract(HttpRequest request, JwtLocation location)
    {
        switch (location.Kind)
        {
            case JwtLocationKind.Header:
                var value = request.Headers[location.Name].ToString();
                if (value.Length == 0)
                {
                    return null;
                }

                if (location.Prefix.Length == 0)
                {
                    return value.Trim();
                }

                return value.StartsWith(location.Prefix, StringComparison.OrdinalIgnoreCase) && value[location.Prefix.Length..].Trim() is { Length: > 0 } token ? token : null;
            case JwtLocationKind.Query:
                return request.Query[location.Name] is { Count: > 0 } query && query[0] is { Length: > 0 } fromQuery ? fromQuery : null;
            default:
                return request.Cookies[location.Name] is { Length: > 0 } cookie ? cookie : null;
        }
    }

    private static long? NumericClaim(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds) ? (long)seconds : null;

    private static IReadOnlyList<string> Audiences(JsonElement payload) =>
        payload.TryGetProperty("aud", out var aud) ? JwtPrincipal.ValuesOf(aud) ?? [] : [];

    private enum SignatureCheck
    {
        Valid,
        Invalid,
        NoKey,
    }

    private sealed record Found(string Token, JwtRuleModel Rule, JwtLocation Location);
}
