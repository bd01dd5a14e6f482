using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bookinfo.Details;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BookDetails))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(FailureState))]
internal sealed partial class DetailsJsonContext : JsonSerializerContext;
