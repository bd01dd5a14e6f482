namespace Bookinfo.ProductPage;

/// <summary>
/// Upstream addresses and call policy of the product page (configuration section
/// <c>ProductPage</c>). The defaults copy Bookinfo's Python productpage, whose behaviour
/// Istio's tasks rely on: 3 s per call, and reviews tried twice, so a 7 s delay injected
/// on ratings surfaces as a 6 s page load with "reviews unavailable".
/// </summary>
internal sealed class ProductPageOptions
{
    public const string SectionName = "ProductPage";

    /// <summary>Resolved through service discovery: configuration services:details:http:0.</summary>
    public Uri DetailsAddress { get; set; } = new("http://details");

    /// <summary>Resolved through service discovery: configuration services:reviews:http:0..n.</summary>
    public Uri ReviewsAddress { get; set; } = new("http://reviews");

    /// <summary>Resolved through service discovery: configuration services:ratings:http:0.</summary>
    public Uri RatingsAddress { get; set; } = new("http://ratings");

    public TimeSpan DetailsTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Per try.</summary>
    public TimeSpan ReviewsTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Tries in total, on any failure or non-200 answer.</summary>
    public int ReviewsAttempts { get; set; } = 2;

    public TimeSpan RatingsTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
