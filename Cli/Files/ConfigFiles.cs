using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Cli.Files;

/// <summary>
/// Reads <c>-f FILE|DIR</c> arguments (directories recursively: *.yaml, *.yml, *.json; names
/// starting with a dot skipped; <c>-</c> is standard input) and validates them locally with the
/// same parser and validator the control plane uses.
/// </summary>
internal static class ConfigFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    public static IReadOnlyList<ConfigFile> Read(IEnumerable<string> paths, CliContext context, TextReader? standardInput = null)
    {
        var files = new List<ConfigFile>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                files.Add(new ConfigFile("<stdin>", ConfigTextReader.ReadAsync(standardInput ?? Console.In).GetAwaiter().GetResult()));
                continue;
            }

            var full = Path.GetFullPath(path, context.CurrentDirectory);
            if (Directory.Exists(full))
            {
                var found = Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = true })
                    .Where(f => Extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                    .Where(f => !Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                {
                    throw new CliException($"no *.yaml, *.yml or *.json files in directory {path}");
                }

                files.AddRange(found.Select(f => new ConfigFile(Path.Combine(path, Path.GetRelativePath(full, f)), ConfigTextReader.ReadFile(f))));
            }
            else if (File.Exists(full))
            {
                files.Add(new ConfigFile(path, ConfigTextReader.ReadFile(full)));
            }
            else
            {
                throw new CliException($"the path {path} does not exist");
            }
        }

        return files;
    }

    /// <summary>Parses every file and validates all the objects that parsed together (as the control plane would).</summary>
    /// <param name="namespace">kubectl's <c>-n</c>: the namespace of objects that name none.</param>
    public static LocalValidation Validate(IReadOnlyList<ConfigFile> files, bool semantic = true, string? @namespace = null)
    {
        var objects = new List<ConfigObject>();
        var errors = new List<ConfigError>();
        foreach (var file in files)
        {
            var result = ConfigParser.Parse(file.Text, file.Path, @namespace);
            objects.AddRange(result.Objects);
            errors.AddRange(result.Errors);
            if (semantic)
            {
                errors.AddRange(ConfigValidator.ValidateIncomplete(result));
            }
        }

        if (semantic)
        {
            errors.AddRange(ConfigValidator.Validate(objects));
        }

        return new LocalValidation(objects, errors);
    }

    /// <summary>All files as one multi-document YAML stream (one atomic request).</summary>
    public static string Combine(IReadOnlyList<ConfigFile> files) =>
        string.Join("\n---\n", files.Select(f => f.Text.TrimEnd()));
}

internal sealed record ConfigFile(string Path, string Text);

internal sealed record LocalValidation(IReadOnlyList<ConfigObject> Objects, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
