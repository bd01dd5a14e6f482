using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mesh.Cli.Output;

internal static class Json
{
    /// <summary>Indented, without HTML escaping (output is for terminals and files).</summary>
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
