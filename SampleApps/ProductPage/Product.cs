namespace Bookinfo.ProductPage;

/// <summary>A book in the product catalog (<c>GET /api/v1/products</c>).</summary>
internal sealed record Product(int Id, string Title, string DescriptionHtml)
{
    /// <summary>Bookinfo sells one book.</summary>
    public static readonly IReadOnlyList<Product> Catalog =
    [
        new(
            0,
            "The Comedy of Errors",
            "<a href=\"https://en.wikipedia.org/wiki/The_Comedy_of_Errors\">Wikipedia Summary</a>: "
            + "The Comedy of Errors is one of <b>William Shakespeare's</b> early plays. It is his shortest "
            + "and one of his most farcical comedies, with a major part of the humour coming from slapstick "
            + "and mistaken identity, in addition to puns and word play."),
    ];
}
