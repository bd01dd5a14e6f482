using System.Text;

namespace Mesh.Config.Model;

/// <summary>
/// Field paths as errors print them: <c>spec.http[0].match[0].headers.x-user</c>. Map keys
/// that are not plain names (dots, slashes, colons, spaces, quotes, empty) are written in
/// brackets as JSON strings, <c>metadata.labels["app.kubernetes.io/name"]</c>, so a path names
/// exactly one field.
/// </summary>
internal static class FieldPath
{
    // Keys longer than this are shortened in paths and messages: an error names the field, it
    // does not echo a megabyte of input.
    private const int MaxShownLength = 128;

    /// <summary>A record field (a known name) under <paramref name="path"/>.</summary>
    public static string Field(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>A map entry (user text) under <paramref name="path"/>.</summary>
    public static string Key(string path, string key) =>
        IsPlain(key) ? Field(path, key) : $"{path}[{Quote(key)}]";

    /// <summary>A list item under <paramref name="path"/>.</summary>
    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>User text as a JSON string literal (escaped, shortened when very long), for paths and messages.</summary>
    public static string Quote(string text)
    {
        var shown = text.Length > MaxShownLength ? text[..MaxShownLength] : text;
        var quoted = new StringBuilder(shown.Length + 2).Append('"');
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            if (char.IsHighSurrogate(c) && i + 1 < shown.Length && char.IsLowSurrogate(shown[i + 1]))
            {
                quoted.Append(c).Append(shown[++i]);
                continue;
            }

            switch (c)
            {
                case '"':
                    quoted.Append("\\\"");
                    break;
                case '\\':
                    quoted.Append(@"\\");
                    break;
                case '\n':
                    quoted.Append("\\n");
                    break;
                case '\r':
                    quoted.Append("\\r");
                    break;
                case '\t':
                    quoted.Append("\\t");
                    break;
                case < ' ' or '\u007f' or (>= '\u0080' and <= '\u009f') or '\u2028' or '\u2029' or (>= '\ud800' and <= '\udfff'):
                    quoted.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    quoted.Append(c);
                    break;
            }
        }

        quoted.Append('"');
        return text.Length > MaxShownLength ? quoted.Append($"... ({text.Length} characters)").ToString() : quoted.ToString();
    }

    private static bool IsPlain(string key)
    {
        if (key.Length == 0 || key.Length > MaxShownLength || key[0] == '-')
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
