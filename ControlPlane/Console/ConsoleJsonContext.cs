using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.ControlPlane.Console;

/// <summary>Source-generated JSON of the console: the proxies' /stats documents it reads and the overview it serves.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ProxyStatsReading))]
[JsonSerializable(typeof(MeshConsoleOverview))]
internal sealed partial class ConsoleJsonContext : JsonSerializerContext;
