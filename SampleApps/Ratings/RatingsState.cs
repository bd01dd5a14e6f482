using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Bookinfo.Ratings;

/// <summary>
/// The ratings held in memory, like Bookinfo's ratings v1: every product has the two
/// default ratings until someone POSTs its own set, which then replaces them.
/// </summary>
internal sealed class RatingsState
{
    /// <summary>Bounds the memory a client can make us hold with POSTs.</summary>
    public const int MaxRatedProducts = 1000;

    public const int MaxReviewersPerProduct = 100;

    private static readonly FrozenDictionary<string, int> DefaultRatings =
        new Dictionary<string, int> { ["Reviewer1"] = 5, ["Reviewer2"] = 4 }.ToFrozenDictionary();

    private readonly ConcurrentDictionary<int, FrozenDictionary<string, int>> _userRatings = new();

    public ProductRatings Get(int productId) =>
        new(productId, _userRatings.TryGetValue(productId, out var ratings) ? ratings : DefaultRatings);

    /// <summary>Replaces a product's ratings; false when the store is full of other products.</summary>
    public bool TryPut(int productId, IReadOnlyDictionary<string, int> ratings)
    {
        var frozen = ratings.ToFrozenDictionary();
        if (_userRatings.Count >= MaxRatedProducts && !_userRatings.ContainsKey(productId))
        {
            return false;
        }

        _userRatings[productId] = frozen;
        return true;
    }
}
