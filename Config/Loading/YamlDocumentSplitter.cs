namespace Mesh.Config.Loading;

/// <summary>
/// Splits a YAML stream into its documents by their <c>---</c> and <c>...</c> marker lines, so
/// each document is parsed on its own: a syntax error in one document does not hide the others,
/// and every error points at its own document and line. A marker at the start of a line always
/// ends the document before it (YAML forbids that text inside any scalar), so the split is exact.
/// </summary>
internal static class YamlDocumentSplitter
{
    /// <summary>One document: its 1-based index in the stream, first line (1-based) and text.</summary>
    public sealed record Chunk(int Index, int FirstLine, string Text);

    public static IEnumerable<Chunk> Split(string text)
    {
        var index = 0;
        var start = 0;          // offset where the current chunk starts
        var startLine = 1;
        var explicitStart = false;
        var hasContent = false;
        var line = 0;
        foreach (var (offset, current, next) in YamlLines.Enumerate(text))
        {
            line++;
            if (IsMarker(current, "---"))
            {
                // A prefix of only comments or directives belongs to the document this marker starts.
                if (explicitStart || hasContent)
                {
                    yield return new Chunk(++index, startLine, text[start..offset]);
                    start = offset;
                    startLine = line;
                }

                explicitStart = true;
                hasContent = false;
            }
            else if (IsMarker(current, "..."))
            {
                if (explicitStart || hasContent)
                {
                    yield return new Chunk(++index, startLine, text[start..next]);
                }

                start = next;
                startLine = line + 1;
                explicitStart = false;
                hasContent = false;
            }
            else if (!hasContent && IsContent(current))
            {
                hasContent = true;
            }
        }

        if (explicitStart || hasContent)
        {
            yield return new Chunk(++index, startLine, text[start..]);
        }
    }

    private static bool IsMarker(string line, string marker) =>
        line.StartsWith(marker, StringComparison.Ordinal) && (line.Length == 3 || line[3] is ' ' or '\t');

    private static bool IsContent(string line)
    {
        var trimmed = line.TrimStart(' ', '\t');
        return trimmed.Length > 0 && trimmed[0] != '#' && line[0] != '%';
    }
}
