using System.Net;

namespace Mesh.EndToEnd.Tests.Traffic;

/// <summary>Helpers for Istio's traffic management tasks on Bookinfo.</summary>
internal static class TrafficTasks
{
    /// <summary>A client of <paramref name="productPage"/>'s address with its own cookies, signed in through Bookinfo's login form.</summary>
    public static async Task<HttpClient> SignedInAsync(HttpClient productPage, string user)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = productPage.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var login = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user,
            ["passwd"] = "password",
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return client;
    }
}
