namespace Mesh.Proxy.Core.Translation;

/// <summary>Collects every problem of a snapshot (with the path of the offending field) before it is rejected.</summary>
public sealed class TranslationErrors
{
    private readonly List<string> _errors = [];

    public int Count => _errors.Count;

    public IReadOnlyList<string> All => _errors;

    public void Add(string path, string message) => _errors.Add($"{path}: {message}");

    /// <summary>The NACK reason: all errors, bounded so a huge bad snapshot still yields a readable message.</summary>
    public string ToNackReason(int maxLength = 4000)
    {
        var text = string.Join("; ", _errors);
        return text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), $"... ({_errors.Count} errors)");
    }
}
