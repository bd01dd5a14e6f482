namespace Mesh.Bench.Tool.Orchestration;

/// <summary>Renders a bench/configs file: every {{NAME}} placeholder must be given a value.</summary>
public static class ConfigTemplate
{
    public static string Render(string templatePath, IReadOnlyDictionary<string, string> values)
    {
        var text = File.ReadAllText(templatePath);
        foreach (var (key, value) in values)
        {
            text = text.Replace("{{" + key + "}}", value, StringComparison.Ordinal);
        }

        var left = text.IndexOf("{{", StringComparison.Ordinal);
        if (left >= 0)
        {
            var name = text[left..Math.Min(text.Length, text.IndexOf("}}", left, StringComparison.Ordinal) + 2)];
            throw new InvalidOperationException($"{templatePath}: placeholder {name} has no value");
        }

        return text;
    }
}
