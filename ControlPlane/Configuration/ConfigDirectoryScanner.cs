using Mesh.Config.Loading;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// Reads every configuration file under a directory: *.yaml, *.yml and *.json, recursively.
/// Names starting with a dot are skipped (editor swap and lock files such as <c>.#x.yaml</c>,
/// and Kubernetes ConfigMap mounts' <c>..data</c> directories, whose files are reached through
/// the symlinks beside them).
/// </summary>
internal static class ConfigDirectoryScanner
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Relative path (with '/') → content. A file that vanishes while being read is skipped.</summary>
    public static async Task<Dictionary<string, string>> ScanAsync(string directory, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return files;
        }

        foreach (var path in Enumerate(directory))
        {
            var text = await ReadAsync(path, cancellationToken);
            if (text is not null)
            {
                files[Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/')] = text;
            }
        }

        return files;
    }

    private static IEnumerable<string> Enumerate(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 };
        var pending = new Stack<string>([directory]);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos("*", options))
            {
                if (entry.Name.StartsWith('.'))
                {
                    continue;
                }

                if (entry is DirectoryInfo subdirectory)
                {
                    pending.Push(subdirectory.FullName);
                }
                else if (Extensions.Any(e => entry.Name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return entry.FullName;
                }
            }
        }
    }

    // Editors that save in place can be caught mid-write: a sharing violation is retried briefly,
    // and a torn read is harmless (it fails validation, and the write's own event re-reads it).
    private static async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ConfigTextReader.ReadFileAsync(path, cancellationToken);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (IOException) when (attempt < 5)
            {
                await Task.Delay(20 * attempt, cancellationToken);
            }
        }
    }
}
