using System.Text;

namespace Mesh.Config.Model;

/// <summary>
/// One problem found while parsing or validating configuration, located by document and
/// field path (<c>spec.http[0].route[1].weight</c>).
/// </summary>
public sealed record ConfigError(ConfigSource Source, string? Kind, string? Name, string Path, string Message)
{
    /// <summary>The 1-based line of the origin the error points at; 0 when unknown.</summary>
    public int Line { get; init; }

    /// <summary>
    /// <c>&lt;origin&gt; (document &lt;n&gt;, line &lt;l&gt;) &lt;Kind&gt;/&lt;name&gt;: &lt;path&gt;: &lt;message&gt;</c>;
    /// parts that are unknown are left out.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Source.Origin);
        if (Source.DocumentIndex > 0 && Line > 0)
        {
            text.Append(" (document ").Append(Source.DocumentIndex).Append(", line ").Append(Line).Append(')');
        }
        else if (Source.DocumentIndex > 0)
        {
            text.Append(" (document ").Append(Source.DocumentIndex).Append(')');
        }
        else if (Line > 0)
        {
            text.Append(" (line ").Append(Line).Append(')');
        }

        if (!string.IsNullOrEmpty(Kind) || !string.IsNullOrEmpty(Name))
        {
            text.Append(' ').Append(string.IsNullOrEmpty(Kind) ? "?" : Kind).Append('/').Append(string.IsNullOrEmpty(Name) ? "?" : Name);
        }

        text.Append(": ");
        if (!string.IsNullOrEmpty(Path))
        {
            text.Append(Path).Append(": ");
        }

        text.Append(Message);

        // One error, one line: a message that quotes user text with a line break in it (a
        // multi-line host name) must not break logs and terminal output apart.
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029')
            {
                var escaped = c == '\n' ? "\\n" : $"\\u{(int)c:x4}";
                text.Remove(i, 1).Insert(i, escaped);
                i += escaped.Length - 1;
            }
        }

        return text.ToString();
    }
}
