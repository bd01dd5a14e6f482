namespace Mesh.Proxy.Security.Jwt;

/// <summary>The JWT rules that apply to this workload and the headers they own (stripped from every request).</summary>
internal sealed class JwtRuleSet
{
    public static readonly JwtRuleSet Empty = new([]);

    public JwtRuleSet(JwtRuleModel[] rules)
    {
        Rules = rules;
        OutputHeaders = [.. rules.Select(r => r.OutputPayloadToHeader).OfType<string>().Concat(rules.SelectMany(r => r.ClaimsToHeaders.Select(c => c.Header)))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    public JwtRuleModel[] Rules { get; }

    /// <summary>Headers the proxy writes from verified tokens: a caller's own values would be spoofed identities.</summary>
    public string[] OutputHeaders { get; }

    public bool IsEmpty => Rules.Length == 0;
}
