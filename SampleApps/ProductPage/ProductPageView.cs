namespace Bookinfo.ProductPage;

/// <summary>What the product page shows: the product, the signed-in user, and each upstream's answer (null when it failed).</summary>
internal sealed record ProductPageView(
    Product Product,
    string? User,
    BookDetails? Details,
    ProductReviews? Reviews);
