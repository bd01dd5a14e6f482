using Mesh.Config.Loading;
using Mesh.Config.Model;

namespace Mesh.Config.Validation.Rules;

/// <summary>Collects the errors of one object, each located by its field path and, when the object has a text, its line.</summary>
internal sealed class ValidationContext(ConfigObject configObject, List<ConfigError> errors)
{
    private SourceLines? _lines;

    public ConfigObject Object { get; } = configObject;

    /// <summary>The object's namespace: short host names in its spec resolve relative to it.</summary>
    public string Namespace => Object.Metadata.Namespace;

    public void Error(string path, string message)
    {
        _lines ??= new SourceLines(Object);
        errors.Add(new ConfigError(Object.Source, Object.Kind, Object.Metadata.Name, path, message) { Line = _lines.LineOf(path) });
    }
}
