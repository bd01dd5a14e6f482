using System.Net;
using Bookinfo.ProductPage;
using Bookinfo.Tests.Infrastructure;

namespace Bookinfo.Tests;

public sealed class ProductPageLoginTests
{
    [Fact]
    public async Task Login_sets_a_session_that_sends_end_user_to_reviews_and_logout_clears_it()
    {
        await using var details = await FakeUpstream.JsonAsync(ReviewsJson.Details);
        await using var reviews = await FakeUpstream.JsonAsync(ReviewsJson.WithStars("reviews-v2", "black", 5, 4));
        await using var page = await BookinfoApps.StartProductPageAsync(details.Url, reviews.Url);

        var session = await LoginAsync(page, "jason");
        var signedIn = await GetPageAsync(page, session);
        var logout = await SendAsync(page, HttpMethod.Get, "/logout", session);
        var afterLogout = await GetPageAsync(page, cookie: null);

        Assert.Contains("signed in as <b>jason</b>", signedIn, StringComparison.Ordinal);
        Assert.Contains("href=\"logout\"", signedIn, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(ProductPageEndpoints.ProductPagePath, logout.Headers.Location?.OriginalString);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith($"{ProductPageApp.SessionCookieName}=;", StringComparison.Ordinal));
        Assert.Contains("Sign in", afterLogout, StringComparison.Ordinal);
        Assert.DoesNotContain("signed in as", afterLogout, StringComparison.Ordinal);

        var seen = reviews.Requests;
        Assert.Equal(2, seen.Count);
        Assert.Equal("jason", seen[0].Header("end-user"));
        Assert.Null(seen[0].Header("cookie"));
        Assert.Null(seen[1].Header("end-user"));
        Assert.Equal("jason", details.Requests[0].Header("end-user"));
    }

    [Fact]
    public async Task A_tampered_session_cookie_is_ignored()
    {
        await using var reviews = await FakeUpstream.JsonAsync(ReviewsJson.WithStars("reviews-v2", "black", 5, 4));
        await using var page = await BookinfoApps.StartProductPageAsync(ReviewsTests.ClosedLoopbackPort(), reviews.Url);

        var html = await GetPageAsync(page, $"{ProductPageApp.SessionCookieName}=CfDJ8forged");

        Assert.DoesNotContain("signed in as", html, StringComparison.Ordinal);
        Assert.Null(Assert.Single(reviews.Requests).Header("end-user"));
    }

    [Theory]
    [InlineData("passwd=x")]
    [InlineData("username=&passwd=x")]
    [InlineData("username=%20%20")]
    public async Task Login_without_a_user_name_is_a_400(string form)
    {
        await using var page = await BookinfoApps.StartProductPageAsync(null, null);

        var response = await page.Client.PostAsync("/login", new StringContent(form, null, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("username", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Login_with_a_non_form_body_is_a_400()
    {
        await using var page = await BookinfoApps.StartProductPageAsync(null, null);

        var response = await page.Client.PostAsync("/login", new StringContent("""{"username":"jason"}""", null, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<string> LoginAsync(RunningApp page, string user)
    {
        var response = await page.Client.PostAsync(
            "/login", new FormUrlEncodedContent([new("username", user), new("passwd", "password")]));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(ProductPageEndpoints.ProductPagePath, response.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        return setCookie.Split(';')[0];
    }

    private static async Task<string> GetPageAsync(RunningApp page, string? cookie)
    {
        var response = await SendAsync(page, HttpMethod.Get, ProductPageEndpoints.ProductPagePath, cookie);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpResponseMessage> SendAsync(RunningApp page, HttpMethod method, string path, string? cookie)
    {
        using var request = new HttpRequestMessage(method, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await page.Client.SendAsync(request);
    }
}
