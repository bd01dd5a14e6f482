using System.Text;

namespace Mesh.Config.Model;

/// <summary>
/// One problem found while parsing or validating configuration, located by document and
/// field path (<c>spec.http[0].route[1].weight</c>).
/// </summary>
public sealed record ConfigError(ConfigSource Source, string? Kind, string? Name, string Path, string Message)
{
    /// <summary>
    /// <c>&lt;origin&gt; (document &lt;n&gt;) &lt;Kind&gt;/&lt;name&gt;: &lt;path&gt;: &lt;message&gt;</c>;
    /// parts that are unknown are left out.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Source.Origin);
        if (Source.DocumentIndex > 0)
        {
            text.Append(" (document ").Append(Source.DocumentIndex).Append(')');
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
        return text.ToString();
    }
}
