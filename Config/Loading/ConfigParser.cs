using Mesh.Config.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Parses multi-document Istio YAML (or JSON) into typed <see cref="ConfigObject"/>s. Structural
/// problems (syntax, unknown fields, wrong types, unsupported kinds) come back as
/// <see cref="ConfigError"/>s with document, line and field path; semantic rules are
/// <c>ConfigValidator</c>'s job. Each document is parsed on its own, so one run reports the
/// errors of every document. Never throws on bad input, and stays within
/// <see cref="ParserLimits"/> whatever the input.
/// </summary>
public static class ConfigParser
{
    public const string DefaultNamespace = "default";

    /// <param name="text">One or more YAML documents separated by <c>---</c>, or a JSON object.</param>
    /// <param name="origin">Where the text came from (a file path or <c>"api request"</c>), used in errors.</param>
    public static ConfigParseResult Parse(string text, string origin) => Parse(text, origin, null);

    /// <param name="text">One or more YAML documents separated by <c>---</c>, or a JSON object.</param>
    /// <param name="origin">Where the text came from, used in errors.</param>
    /// <param name="namespace">
    /// The namespace the objects are applied to (kubectl's <c>-n</c>): objects without
    /// <c>metadata.namespace</c> get it, and an object naming another one is an error. Null: objects
    /// without a namespace are in <see cref="DefaultNamespace"/>.
    /// </param>
    public static ConfigParseResult Parse(string text, string origin, string? @namespace)
    {
        text ??= "";
        var objects = new List<ConfigObject>();
        var incomplete = new List<ConfigObject>();
        var errors = new List<ConfigError>();
        if (text.Length > ParserLimits.MaxTextLength)
        {
            errors.Add(new ConfigError(new ConfigSource(origin, 0), null, null, "",
                $"the text is larger than {ParserLimits.MaxTextLength / (1024 * 1024)} MiB; split it into several files or requests"));
            return new ConfigParseResult(objects, errors) { Incomplete = incomplete };
        }

        foreach (var chunk in YamlDocumentSplitter.Split(text))
        {
            if (errors.Count >= ParserLimits.MaxErrorsPerText)
            {
                errors.Add(new ConfigError(new ConfigSource(origin, chunk.Index), null, null, "",
                    $"more than {ParserLimits.MaxErrorsPerText} errors; the documents from here on were not checked") { Line = chunk.FirstLine });
                break;
            }

            ParseDocument(chunk, origin, @namespace, objects, incomplete, errors);
        }

        return new ConfigParseResult(objects, errors) { Incomplete = incomplete };
    }

    private static void ParseDocument(YamlDocumentSplitter.Chunk chunk, string origin, string? @namespace, List<ConfigObject> objects, List<ConfigObject> incomplete, List<ConfigError> errors)
    {
        var source = new ConfigSource(origin, chunk.Index);
        var scanner = new Scanner(new StringReader(chunk.Text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new GuardedParser(new Parser(scanner)));
        }
        catch (YamlException ex)
        {
            var line = ex.Message.Contains("tab", StringComparison.Ordinal) ? TabLine(chunk.Text, ex.Start.Line) : ex.Start.Line;
            errors.Add(SyntaxError(source, chunk, line, ex.Start.Column, Describe(ex)));
            return;
        }
        catch (ParserLimitException ex)
        {
            errors.Add(SyntaxError(source, chunk, ex.Start.Line, ex.Start.Column, ex.Message));
            return;
        }
        catch (Exception)
        {
            // YamlDotNet's scanner throws these on some malformed input (an unclosed flow
            // collection followed by a dedented line); the scanner's position is where it gave up.
            var at = scanner.CurrentPosition;
            errors.Add(SyntaxError(source, chunk, at.Line, at.Column,
                "the YAML cannot be parsed here (look for an unclosed '[' or '{', or a line indented less than the collection it continues)"));
            return;
        }

        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            if (SpecBinder.IsNull(root))
            {
                continue; // an empty document (only comments, or a trailing ---)
            }

            var lineOffset = chunk.FirstLine - 1;
            var documentSource = source with { Line = (int)root.Start.Line + lineOffset };
            var sourceText = Slice(chunk.Text, root.Start.Index);
            var errorsBefore = errors.Count;
            DocumentReader.Read(root, new DocumentReader.Target(documentSource, lineOffset, objects, incomplete, errors) { Namespace = @namespace }, sourceText, "");
            if (errors.Count - errorsBefore > ParserLimits.MaxErrorsPerDocument)
            {
                var dropped = errors.Count - errorsBefore - ParserLimits.MaxErrorsPerDocument;
                errors.RemoveRange(errorsBefore + ParserLimits.MaxErrorsPerDocument, dropped);
                errors.Add(new ConfigError(documentSource, null, null, "", $"... and {dropped} more errors in this document") { Line = documentSource.Line });
            }
        }
    }

    private static ConfigError SyntaxError(ConfigSource source, YamlDocumentSplitter.Chunk chunk, long line, long column, string message)
    {
        var absolute = (int)Math.Max(1, line) + chunk.FirstLine - 1;
        return new ConfigError(source, null, null, "", $"YAML syntax error at line {absolute}, column {Math.Max(1, column)}: {message}") { Line = absolute };
    }

    // YamlDotNet reports a tab used for indentation at the start of the mapping it was
    // scanning; the line the user must fix is the first one indented with a tab.
    private static long TabLine(string text, long from)
    {
        var number = 0L;
        foreach (var (_, line, _) in YamlLines.Enumerate(text))
        {
            number++;
            if (number >= from && line.TrimStart(' ').StartsWith('\t') && line.Trim().Length > 0)
            {
                return number;
            }
        }

        return from;
    }

    // A document's text runs from its root node to the end of its chunk, minus the comments,
    // blank lines and end marker that trail it.
    private static string Slice(string text, long start)
    {
        var from = (int)Math.Clamp(start, 0, text.Length);
        var lines = text[from..].TrimEnd().Split('\n').ToList();
        while (lines.Count > 0 && IsBetweenDocuments(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join('\n', lines).TrimEnd() + "\n";
    }

    private static bool IsBetweenDocuments(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length == 0 || trimmed.StartsWith('#') || trimmed is "---" or "...";
    }

    private static string Describe(YamlException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line: ...): "; we report the position ourselves.
        var marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        return marker >= 0 ? message[(marker + 3)..] : message;
    }
}
