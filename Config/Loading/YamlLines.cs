namespace Mesh.Config.Loading;

/// <summary>
/// Lines as YAML (and YamlDotNet, which reports our line numbers) count them: a line ends at
/// <c>\r\n</c>, <c>\n</c>, <c>\r</c>, NEL, LS or PS. Splitting and line numbers use this one
/// definition, so a line number in an error is the line YamlDotNet and editors show.
/// </summary>
internal static class YamlLines
{
    /// <summary>Each line's start offset, its text (without the break) and the offset after its break.</summary>
    public static IEnumerable<(int Start, string Text, int Next)> Enumerate(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var end = start;
            while (end < text.Length && !IsBreak(text[end]))
            {
                end++;
            }

            var next = end >= text.Length ? text.Length : end + (text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? 2 : 1);
            yield return (start, text[start..end], next);
            start = next;
        }
    }

    public static int Count(string text) => Enumerate(text).Count();

    private static bool IsBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';
}
