using System.Text;

namespace Mesh.Hosting.Kubernetes;

/// <summary>Names Kubernetes accepts (RFC 1123 labels) derived from Aspire resource and endpoint names.</summary>
internal static class KubernetesNames
{
    /// <summary>Lower-case alphanumerics and '-', no leading or trailing '-', at most 63 characters.</summary>
    public static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var result = text.ToString().Trim('-');
        if (result.Length > 63)
        {
            result = result[..63].TrimEnd('-');
        }

        return result.Length == 0 ? throw new InvalidOperationException($"'{name}' cannot be turned into a Kubernetes name") : result;
    }

    /// <summary>A container port name (IANA service name: at most 15 characters, a letter included), or null when none fits.</summary>
    public static string? PortName(string name)
    {
        var candidate = Sanitize(name);
        if (candidate.Length > 15)
        {
            candidate = candidate[..15].TrimEnd('-');
        }

        return candidate.Any(char.IsAsciiLetter) && !candidate.Contains("--", StringComparison.Ordinal) ? candidate : null;
    }

    /// <summary>The image repository of a project: its file name, lower-case, dots as dashes (Bookinfo.Reviews → bookinfo-reviews).</summary>
    public static string Repository(string projectPath) => Sanitize(Path.GetFileNameWithoutExtension(projectPath).Replace('.', '-'));
}
