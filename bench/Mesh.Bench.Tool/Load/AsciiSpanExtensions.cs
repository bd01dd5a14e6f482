namespace Mesh.Bench.Tool.Load;

/// <summary>Case-insensitive ASCII comparisons on header bytes, without decoding them to strings.</summary>
internal static class AsciiSpanExtensions
{
    public static bool EqualsIgnoreCase(this ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerCase) =>
        System.Text.Ascii.EqualsIgnoreCase(value, lowerCase);

    public static bool EndsWithIgnoreCase(this ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerCase) =>
        value.Length >= lowerCase.Length && System.Text.Ascii.EqualsIgnoreCase(value[^lowerCase.Length..], lowerCase);
}
