using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Mesh.ControlPlane.Admin;

/// <summary>Source-generated JSON for the admin API's documents.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(ConfigChangeResponse))]
[JsonSerializable(typeof(ConfigListResponse))]
[JsonSerializable(typeof(ConfigStatusResponse))]
[JsonSerializable(typeof(ProxyStatusResponse))]
[JsonSerializable(typeof(List<ProxyStatusResponse>))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(WorkloadGroupTokenResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
