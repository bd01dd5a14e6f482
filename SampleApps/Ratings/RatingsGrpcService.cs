using Bookinfo.Ratings.V1;
using Grpc.Core;

namespace Bookinfo.Ratings;

/// <summary><c>bookinfo.ratings.v1.Ratings</c>: the same data as the HTTP API.</summary>
internal sealed class RatingsGrpcService(RatingsState state) : V1.Ratings.RatingsBase
{
    public override Task<GetRatingsResponse> GetRatings(GetRatingsRequest request, ServerCallContext context)
    {
        var ratings = state.Get(request.ProductId);
        var response = new GetRatingsResponse { Id = ratings.Id };
        foreach (var (reviewer, stars) in ratings.Ratings)
        {
            response.Ratings.Add(reviewer, stars);
        }

        return Task.FromResult(response);
    }
}
