namespace Mesh.Config.Loading;

/// <summary>
/// Reads configuration text from files, standard input or request bodies, at most one character
/// beyond <see cref="ParserLimits.MaxTextLength"/>: an oversized input then fails to parse with a
/// size error, instead of being read into memory whole.
/// </summary>
public static class ConfigTextReader
{
    public static async Task<string> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return await ReadAsync(reader, cancellationToken);
    }

    public static string ReadFile(string path) => ReadFileAsync(path).GetAwaiter().GetResult();

    public static async Task<string> ReadAsync(TextReader reader, CancellationToken cancellationToken = default)
    {
        var buffer = new char[Math.Min(ParserLimits.MaxTextLength + 1, 64 * 1024)];
        var text = new System.Text.StringBuilder();
        while (text.Length <= ParserLimits.MaxTextLength)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, ParserLimits.MaxTextLength + 1 - text.Length)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }
}
