using System.Text;
using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// Persists API-applied objects, one YAML file per object under <c>&lt;data&gt;/applied/</c>
/// (<c>&lt;kind&gt;.&lt;namespace&gt;.&lt;name&gt;.yaml</c>), each written atomically (temp file, flush,
/// rename) so a crash never leaves a torn file. A change of several objects writes several files:
/// a crash in the middle of one keeps the objects written so far.
/// </summary>
internal sealed class AppliedConfigRepository
{
    private const string TempSuffix = ".tmp";
    private const string InvalidSuffix = ".invalid";

    public AppliedConfigRepository(string dataDirectory)
    {
        Directory = Path.GetFullPath(Path.Combine(dataDirectory, "applied"));
    }

    public string Directory { get; }

    /// <summary>Every persisted object file: (full path, text). Leftover temp files are removed.</summary>
    public IReadOnlyList<(string Path, string Text)> ReadAll()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        foreach (var leftover in System.IO.Directory.EnumerateFiles(Directory, "*" + TempSuffix))
        {
            File.Delete(leftover);
        }

        return
        [
            .. System.IO.Directory.EnumerateFiles(Directory, "*.yaml")
                .Order(StringComparer.Ordinal)
                .Select(path => (path, File.ReadAllText(path, Encoding.UTF8))),
        ];
    }

    public async Task SaveAsync(ConfigObject configObject, string yaml, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(configObject.Kind, configObject.Metadata.Namespace, configObject.Metadata.Name);
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempSuffix;
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(yaml), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public void Delete(string kind, string @namespace, string name)
    {
        var path = PathOf(kind, @namespace, name);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Moves a file that no longer parses aside (kept for the user, no longer loaded).</summary>
    public string Quarantine(string path)
    {
        var target = path + InvalidSuffix;
        File.Move(path, target, overwrite: true);
        return target;
    }

    // Kubernetes names are DNS labels/subdomains, but the store must not trust that for a path:
    // anything outside [a-z0-9-] (and dots inside names) is escaped, so a name can never leave the
    // directory and two objects never share a file.
    private string PathOf(string kind, string @namespace, string name) =>
        Path.Combine(Directory, $"{Escape(kind.ToLowerInvariant(), allowDot: false)}.{Escape(@namespace, allowDot: false)}.{Escape(name, allowDot: true)}.yaml");

    private static string Escape(string part, bool allowDot)
    {
        var text = new StringBuilder(part.Length);
        foreach (var c in part)
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' || (allowDot && c == '.' && text.Length > 0))
            {
                text.Append(c);
            }
            else
            {
                text.Append('_').Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
