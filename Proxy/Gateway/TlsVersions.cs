using System.Security.Authentication;
using Mesh.Proxy.Core.Translation;

namespace Mesh.Proxy.Gateway;

/// <summary>Istio's <c>minProtocolVersion</c>/<c>maxProtocolVersion</c> as the set of versions a server accepts.</summary>
internal static class TlsVersions
{
    // Envoy's server defaults, which TLS_AUTO and unset stand for.
    private const int DefaultMin = 2;
    private const int DefaultMax = 3;

#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 are obsolete; Istio still lets a server accept them when asked to.
    private static readonly SslProtocols[] Versions = [SslProtocols.Tls, SslProtocols.Tls11, SslProtocols.Tls12, SslProtocols.Tls13];
#pragma warning restore SYSLIB0039

    public static SslProtocols Range(string min, string max, string path, TranslationErrors errors)
    {
        var low = Parse(min, DefaultMin, $"{path}.min_protocol_version", errors);
        var high = Parse(max, DefaultMax, $"{path}.max_protocol_version", errors);
        if (low is null || high is null)
        {
            return SslProtocols.None;
        }

        if (low > high)
        {
            errors.Add($"{path}.min_protocol_version", $"{min} is above max_protocol_version {(string.IsNullOrEmpty(max) ? "(TLS_AUTO: TLSV1_3)" : max)}");
            return SslProtocols.None;
        }

        var result = SslProtocols.None;
        for (var i = low.Value; i <= high.Value; i++)
        {
            result |= Versions[i];
        }

        return result;
    }

    private static int? Parse(string name, int automatic, string path, TranslationErrors errors)
    {
        switch (name.ToUpperInvariant())
        {
            case "" or "TLS_AUTO":
                return automatic;
            case "TLSV1_0":
                return 0;
            case "TLSV1_1":
                return 1;
            case "TLSV1_2":
                return 2;
            case "TLSV1_3":
                return 3;
            default:
                errors.Add(path, $"unknown TLS version '{name}' (TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3)");
                return null;
        }
    }
}
