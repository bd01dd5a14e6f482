using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bookinfo.ProductPage;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BookDetails))]
[JsonSerializable(typeof(ProductReviews))]
[JsonSerializable(typeof(IReadOnlyList<Product>))]
[JsonSerializable(typeof(ProductRatings))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class ProductPageJsonContext : JsonSerializerContext;
