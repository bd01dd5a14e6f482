using Mesh.Config.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Parses multi-document Istio YAML (or JSON) into typed <see cref="ConfigObject"/>s. Structural
/// problems (syntax, unknown fields, wrong types, unsupported kinds) come back as
/// <see cref="ConfigError"/>s with field paths; semantic rules are <c>ConfigValidator</c>'s job.
/// Never throws on bad input.
/// </summary>
public static class ConfigParser
{
    public const string DefaultNamespace = "default";

    /// <param name="text">One or more YAML documents separated by <c>---</c>, or a JSON object.</param>
    /// <param name="origin">Where the text came from (a file path or <c>"api request"</c>), used in errors.</param>
    public static ConfigParseResult Parse(string text, string origin)
    {
        var objects = new List<ConfigObject>();
        var errors = new List<ConfigError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text ?? ""));
        }
        catch (YamlException ex)
        {
            var document = DocumentAt(text ?? "", ex.Start.Line);
            errors.Add(new ConfigError(new ConfigSource(origin, document), null, null, "",
                $"YAML syntax error at line {ex.Start.Line}, column {ex.Start.Column}: {Describe(ex)}"));
            return new ConfigParseResult(objects, errors);
        }

        for (var i = 0; i < stream.Documents.Count; i++)
        {
            var root = stream.Documents[i].RootNode;
            if (SpecBinder.IsNull(root))
            {
                continue; // an empty document (only comments, or a trailing ---)
            }

            var source = new ConfigSource(origin, i + 1);
            var next = i + 1 < stream.Documents.Count ? stream.Documents[i + 1].RootNode.Start.Index : text!.Length;
            var sourceText = Slice(text!, root.Start.Index, next);
            DocumentReader.Read(root, source, sourceText, "", objects, errors);
        }

        return new ConfigParseResult(objects, errors);
    }

    // A block node's End mark equals its Start in YamlDotNet's representation model, so a
    // document's text runs from its root to the next document's root, minus what lies between.
    private static string Slice(string text, long start, long end)
    {
        var from = (int)Math.Clamp(start, 0, text.Length);
        var to = (int)Math.Clamp(end, from, text.Length);
        var lines = text[from..to].TrimEnd().Split('\n').ToList();
        while (lines.Count > 0 && IsBetweenDocuments(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join('\n', lines).TrimEnd() + "\n";
    }

    // Separators, and blank or comment lines that precede the next document's root.
    private static bool IsBetweenDocuments(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length == 0 || trimmed.StartsWith('#') || trimmed is "---" or "..." || trimmed.StartsWith("--- ", StringComparison.Ordinal);
    }

    // The representation model loses documents after a syntax error, so locate the failing
    // document by counting the separators before the error line.
    private static int DocumentAt(string text, long line)
    {
        var document = 1;
        var sawContent = false;
        using var reader = new StringReader(text);
        for (var number = 1; number < line && reader.ReadLine() is { } current; number++)
        {
            if (current.StartsWith("---", StringComparison.Ordinal))
            {
                if (sawContent)
                {
                    document++;
                }

                sawContent = current.Trim().Length > 3;
            }
            else if (current.Trim().Length > 0 && !current.TrimStart().StartsWith('#'))
            {
                sawContent = true;
            }
        }

        return document;
    }

    private static string Describe(YamlException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line: ...): "; we report the position ourselves.
        var marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        return marker >= 0 ? message[(marker + 3)..] : message;
    }
}
