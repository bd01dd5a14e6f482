using Bookinfo.Ratings.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;
using RatingsClient = Bookinfo.Ratings.V1.Ratings.RatingsClient;

namespace Bookinfo.Reviews;

/// <summary>
/// Fetches a product's ratings from the ratings service over gRPC (a real HTTP/2 hop the
/// mesh can route). Any failure, deadline included, means "no ratings": the review is still
/// served, with Bookinfo's "Ratings service is currently unavailable".
/// </summary>
internal sealed partial class RatingsLookup(
    RatingsClient client,
    IOptions<ReviewsOptions> options,
    ILogger<RatingsLookup> logger)
{
    public async Task<IReadOnlyDictionary<string, int>?> TryGetAsync(int productId, CancellationToken cancellationToken)
    {
        var timeout = options.Value.EffectiveRatingsTimeout;
        try
        {
            var response = await client.GetRatingsAsync(
                new GetRatingsRequest { ProductId = productId },
                deadline: DateTime.UtcNow.Add(timeout),
                cancellationToken: cancellationToken);
            return response.Ratings;
        }
        catch (RpcException e)
        {
            LogRatingsUnavailable(logger, productId, e.StatusCode, e.Status.Detail);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ratings for product {ProductId} unavailable: {StatusCode} {Detail}")]
    private static partial void LogRatingsUnavailable(ILogger logger, int productId, StatusCode statusCode, string detail);
}
