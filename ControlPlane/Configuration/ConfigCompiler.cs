using System.Text;
using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// Turns a candidate configuration (the config directory's files plus the API-applied objects)
/// into the object set it would serve and every error in it. An API-applied object overrides a
/// file object with the same Kind/namespace/name. File parses are cached by content, so a change
/// to one file does not re-parse the others. Size limits (<see cref="ConfigSizeLimits"/>) are
/// checked here, so every path (files, API, Kubernetes, restore) enforces them. Not thread-safe:
/// the store calls it under its lock.
/// </summary>
internal sealed class ConfigCompiler(ConfigSizeLimits limits)
{
    private Dictionary<string, ParsedFile> _parsed = new(StringComparer.Ordinal);

    public CompiledConfig Compile(IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, ConfigObject> applied)
    {
        var errors = new List<ConfigError>();
        var objects = new List<ConfigObject>();
        var parsed = new Dictionary<string, ParsedFile>(StringComparer.Ordinal);
        var bytesBySource = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (path, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!_parsed.TryGetValue(path, out var file) || !string.Equals(file.Text, text, StringComparison.Ordinal))
            {
                var result = ConfigParser.Parse(text, path);
                file = new ParsedFile(text, Encoding.UTF8.GetByteCount(text), result, [.. result.Errors, .. ConfigValidator.ValidateIncomplete(result)]);
            }

            parsed[path] = file;
            bytesBySource[path] = file.Bytes;
            errors.AddRange(file.Errors);
            objects.AddRange(file.Result.Objects.Where(o => !applied.ContainsKey(o.Key)));
        }

        _parsed = parsed;
        objects.AddRange(applied.Values);
        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        errors.AddRange(limits.CheckObjects(objects));
        foreach (var configObject in applied.Values)
        {
            var origin = configObject.Source.Origin;
            bytesBySource[origin] = bytesBySource.GetValueOrDefault(origin) + Encoding.UTF8.GetByteCount(configObject.SourceText);
        }

        if (limits.CheckTotal(bytesBySource) is { } tooLarge)
        {
            errors.Add(tooLarge);
        }

        errors.AddRange(ConfigValidator.Validate(objects));
        return new CompiledConfig(objects, errors, bytesBySource.Values.Sum());
    }

    // Errors: the file's parse errors and the semantic errors of its incomplete objects.
    private sealed record ParsedFile(string Text, long Bytes, ConfigParseResult Result, IReadOnlyList<ConfigError> Errors);
}

/// <summary>A compiled candidate: the objects it would serve (sorted by key), its errors and its size in bytes of YAML.</summary>
internal sealed record CompiledConfig(IReadOnlyList<ConfigObject> Objects, IReadOnlyList<ConfigError> Errors, long SourceBytes)
{
    public bool IsValid => Errors.Count == 0;
}
