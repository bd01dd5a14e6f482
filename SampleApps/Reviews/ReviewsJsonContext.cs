using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bookinfo.Reviews;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReviewsResponse))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class ReviewsJsonContext : JsonSerializerContext;
