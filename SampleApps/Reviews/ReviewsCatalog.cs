namespace Bookinfo.Reviews;

/// <summary>Bookinfo's two reviews of "The Comedy of Errors", rated as this version shows them.</summary>
internal static class ReviewsCatalog
{
    public const string Reviewer1 = "Reviewer1";
    public const string Reviewer2 = "Reviewer2";
    public const string Reviewer1Text = "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!";
    public const string Reviewer2Text = "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.";

    /// <param name="ratings">Reviewer to stars; null when ratings are enabled but could not be fetched.</param>
    public static ReviewsResponse Build(int productId, ReviewsOptions options, IReadOnlyDictionary<string, int>? ratings) =>
        new(
            Id: productId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Podname: options.EffectivePodName,
            Clustername: options.ClusterName,
            Version: options.Version,
            Reviews:
            [
                new Review(Reviewer1, Reviewer1Text, RatingOf(Reviewer1, options, ratings)),
                new Review(Reviewer2, Reviewer2Text, RatingOf(Reviewer2, options, ratings)),
            ]);

    private static ReviewRating? RatingOf(string reviewer, ReviewsOptions options, IReadOnlyDictionary<string, int>? ratings)
    {
        if (!options.RatingsEnabled)
        {
            return null;
        }

        // Like the Java service: a reviewer missing from the ratings counts as unavailable.
        return ratings is not null && ratings.TryGetValue(reviewer, out var stars)
            ? new ReviewRating(stars, options.StarColor, null)
            : ReviewRating.Unavailable;
    }
}
