using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Traffic.LocalReplies;

/// <summary>Validates and compiles a snapshot route's <c>redirect</c>.</summary>
internal static class RedirectTranslator
{
    private static readonly HashSet<uint> RedirectCodes = [301, 302, 303, 307, 308];

    public static RedirectModel? Translate(Redirect redirect, string path, TranslationErrors errors)
    {
        var code = redirect.Code == 0 ? 301u : redirect.Code;
        if (!RedirectCodes.Contains(code))
        {
            errors.Add($"{path}.code", $"must be 301, 302, 303, 307 or 308 (got {redirect.Code})");
            return null;
        }

        if (redirect.Port > 65535)
        {
            errors.Add($"{path}.port", $"must be 0-65535 (got {redirect.Port})");
            return null;
        }

        return new RedirectModel
        {
            Scheme = string.IsNullOrEmpty(redirect.Scheme) ? null : redirect.Scheme.ToLowerInvariant(),
            Authority = string.IsNullOrEmpty(redirect.Authority) ? null : redirect.Authority,
            Port = (int)redirect.Port,
            DerivePortFromRequest = redirect.DerivePortFromRequest,
            Uri = string.IsNullOrEmpty(redirect.Uri) ? null : redirect.Uri,
            StatusCode = (int)code,
        };
    }
}
