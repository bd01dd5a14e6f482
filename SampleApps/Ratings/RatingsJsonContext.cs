using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bookinfo.Ratings;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProductRatings))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(Dictionary<string, int>))]
internal sealed partial class RatingsJsonContext : JsonSerializerContext;
