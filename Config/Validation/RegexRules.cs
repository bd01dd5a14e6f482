using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// The regular expressions the proxies accept (RE2 syntax, compiled with .NET's non-backtracking
/// engine), for callers outside validation that check user patterns — the control plane checks
/// Gateway API patterns when it builds routes, since the Gateway API leaves that to the controller.
/// </summary>
public static class RegexRules
{
    /// <summary>Why the pattern cannot be used, or null when it can.</summary>
    public static string? Problem(string pattern) => IstioRules.Regex(pattern);
}
