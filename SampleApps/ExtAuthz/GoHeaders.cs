using System.Text;

namespace Samples.ExtAuthz;

/// <summary>How Go's net/http names and writes headers, so the HTTP answers match Istio's byte for byte.</summary>
internal static class GoHeaders
{
    /// <summary>
    /// <c>textproto.CanonicalMIMEHeaderKey</c>: "x-ext-authz" → "X-Ext-Authz". A name with a byte
    /// that is not a token character is left as it is.
    /// </summary>
    public static string Canonical(string name)
    {
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            return name;
        }

        var chars = name.ToCharArray();
        var upper = true;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = upper ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            upper = chars[i] == '-';
        }

        return new string(chars);
    }

    /// <summary>
    /// Go writes "\r" and "\n" in a header value as spaces and trims the ends. Other control
    /// characters Go would send as they are, which is not valid HTTP; Kestrel refuses them, so
    /// they become spaces too.
    /// </summary>
    public static string SanitizeValue(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(c is (< ' ' and not '\t') or '\x7f' ? ' ' : c);
        }

        return text.ToString().Trim(' ', '\t');
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
