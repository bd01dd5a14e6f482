using System.Net;
using Bookinfo.Tests.Infrastructure;

namespace Bookinfo.Tests;

public sealed class DetailsTests
{
    [Fact]
    public async Task Details_returns_bookinfo_json_for_the_requested_id()
    {
        await using var details = await BookinfoApps.StartDetailsAsync();

        var response = await details.Client.GetAsync("/details/7");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"id":7,"author":"William Shakespeare","year":1595,"type":"paperback","pages":200,"publisher":"PublisherA","language":"English","ISBN-10":"1234567890","ISBN-13":"123-1234567890"}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999")]
    public async Task Details_rejects_a_non_numeric_id_with_a_json_error(string id)
    {
        await using var details = await BookinfoApps.StartDetailsAsync();

        var response = await details.Client.GetAsync($"/details/{id}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":"please provide numeric product id"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Details_serves_health_endpoints(string path)
    {
        await using var details = await BookinfoApps.StartDetailsAsync();

        var response = await details.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
