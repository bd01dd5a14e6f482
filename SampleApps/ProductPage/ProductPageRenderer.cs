using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Bookinfo.ProductPage;

/// <summary>
/// Renders Bookinfo's product page as one self-contained HTML document (inline CSS, no
/// scripts or CDN assets), with the texts Istio's tasks look for.
/// </summary>
internal static class ProductPageRenderer
{
    public const string DetailsErrorTitle = "Error fetching product details!";
    public const string DetailsErrorText = "Sorry, product details are currently unavailable for this book.";
    public const string ReviewsErrorTitle = "Error fetching product reviews!";
    public const string ReviewsErrorText = "Sorry, product reviews are currently unavailable for this book.";
    public const string RatingsUnavailableText = "Ratings service is currently unavailable";
    public const int MaxStars = 5;

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    private const string Style = """
        body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#333;background:#fff}
        nav{background:#222;color:#eee;padding:10px 24px;display:flex;justify-content:space-between;align-items:center}
        nav a,nav .brand{color:#fff;text-decoration:none;font-weight:bold}
        nav form{display:flex;gap:6px;margin:0}
        main{max-width:1000px;margin:0 auto;padding:16px}
        h3,h4{color:#337ab7;text-align:center}
        .columns{display:flex;gap:32px;flex-wrap:wrap}
        .columns>section{flex:1;min-width:300px}
        table.details th{text-align:left;padding:2px 12px 2px 0}
        blockquote{border-left:4px solid #eee;margin:0 0 16px;padding:8px 16px}
        blockquote small{display:block;color:#777}
        .stars{font-size:20px;letter-spacing:2px}
        .stars-black{color:black}
        .stars-red{color:red}
        .error{color:#a94442}
        """;

    public static string Render(ProductPageView view)
    {
        var html = new StringBuilder(4096);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Simple Bookstore App</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        AppendNavigation(html, view.User);
        html.Append("<main>\n<h3>").Append(Html.Encode(view.Product.Title)).Append("</h3>\n")
            .Append("<p class=\"summary\">").Append(view.Product.DescriptionHtml).Append("</p>\n")
            .Append("<div class=\"columns\">\n");
        AppendDetails(html, view.Details);
        AppendReviews(html, view.Reviews);
        html.Append("</div>\n</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string RenderIndex() => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Simple Bookstore App</title><style>{{Style}}</style></head>
        <body>
        <nav><span class="brand">BookInfo Sample</span></nav>
        <main>
        <h3>Hello! This is a simple bookstore application consisting of four services as shown below</h3>
        <p>productpage → details; productpage → reviews (v1, v2, v3) → ratings.</p>
        <p><a href="productpage">Go to the product page</a></p>
        </main>
        </body>
        </html>
        """;

    private static void AppendNavigation(StringBuilder html, string? user)
    {
        html.Append("<nav>\n<a class=\"brand\" href=\"productpage\">BookInfo Sample</a>\n");
        if (user is not null)
        {
            html.Append("<span class=\"user\">signed in as <b>").Append(Html.Encode(user))
                .Append("</b> | <a href=\"logout\">Sign out</a></span>\n");
        }
        else
        {
            html.Append("<form method=\"post\" action=\"login\">")
                .Append("<input name=\"username\" placeholder=\"User Name\" aria-label=\"User Name\" required>")
                .Append("<input name=\"passwd\" type=\"password\" placeholder=\"Password\" aria-label=\"Password\">")
                .Append("<button type=\"submit\">Sign in</button></form>\n");
        }

        html.Append("</nav>\n");
    }

    private static void AppendDetails(StringBuilder html, BookDetails? details)
    {
        html.Append("<section class=\"book-details\">\n");
        if (details is null)
        {
            html.Append("<h4 class=\"error\">").Append(DetailsErrorTitle).Append("</h4>\n<p>")
                .Append(DetailsErrorText).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<h4>Book Details</h4>\n<table class=\"details\">\n");
        AppendRow(html, "Type", details.Type);
        AppendRow(html, "Pages", details.Pages?.ToString(CultureInfo.InvariantCulture));
        AppendRow(html, "Publisher", details.Publisher);
        AppendRow(html, "Language", details.Language);
        AppendRow(html, "ISBN-10", details.Isbn10);
        AppendRow(html, "ISBN-13", details.Isbn13);
        html.Append("</table>\n</section>\n");
    }

    private static void AppendRow(StringBuilder html, string label, string? value) =>
        html.Append("<tr><th>").Append(label).Append(":</th><td>").Append(Html.Encode(value ?? "")).Append("</td></tr>\n");

    private static void AppendReviews(StringBuilder html, ProductReviews? reviews)
    {
        html.Append("<section class=\"book-reviews\">\n");
        if (reviews is null)
        {
            html.Append("<h4 class=\"error\">").Append(ReviewsErrorTitle).Append("</h4>\n<p>")
                .Append(ReviewsErrorText).Append("</p>\n</section>\n");
            return;
        }

        html.Append("<h4>Book Reviews</h4>\n");
        foreach (var review in reviews.Reviews)
        {
            html.Append("<blockquote>\n<p>").Append(Html.Encode(review.Text)).Append("</p>\n<small>")
                .Append(Html.Encode(review.Reviewer)).Append("</small>\n");
            AppendRating(html, review.Rating);
            html.Append("</blockquote>\n");
        }

        html.Append("<dl><dt>Reviews served by:</dt><dd><u class=\"podname\">")
            .Append(Html.Encode(reviews.Podname ?? "")).Append("</u>");
        if (!string.IsNullOrEmpty(reviews.Clustername) && reviews.Clustername != "null")
        {
            html.Append(" on cluster <u>").Append(Html.Encode(reviews.Clustername)).Append("</u>");
        }

        html.Append("</dd></dl>\n</section>\n");
    }

    private static void AppendRating(StringBuilder html, ReviewRating? rating)
    {
        if (rating?.Stars is int stars)
        {
            stars = Math.Clamp(stars, 0, MaxStars);
            // Only known colours become a class; anything else renders black.
            var color = rating.Color == "red" ? "red" : "black";
            html.Append("<span class=\"stars stars-").Append(color).Append("\" data-stars=\"")
                .Append(stars).Append("\" title=\"").Append(stars).Append(" of ").Append(MaxStars).Append(" stars\">")
                .Append('★', stars).Append('☆', MaxStars - stars).Append("</span>\n");
        }
        else if (rating?.Error is not null)
        {
            html.Append("<p class=\"error\"><i>").Append(Html.Encode(rating.Error)).Append("</i></p>\n");
        }
    }
}
