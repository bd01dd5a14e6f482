using System.Net;
using System.Text.Json;
using Bookinfo.Details;
using Bookinfo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bookinfo.Tests;

/// <summary>
/// The switch that makes one details instance fail (BOOKINFO_FAIL, /admin/fail), used by the
/// load-balancing tutorial to watch outlier detection eject a replica and bring it back.
/// </summary>
public sealed class DetailsFailureSwitchTests
{
    [Fact]
    public async Task Bookinfo_fail_makes_every_request_fail_with_that_status_while_health_stays_green()
    {
        await using var details = await StartAsync(settings: [("BOOKINFO_FAIL", "503"), ("POD_NAME", "details-v1-7b9")]);

        var response = await details.Client.GetAsync("/details/0");
        var health = await details.Client.GetAsync("/health");
        var alive = await details.Client.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("""{"error":"details instance details-v1-7b9 is failing on purpose (BOOKINFO_FAIL=503)"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(
            """{"failing":true,"status":503,"until":null,"instance":"details-v1-7b9"}""",
            await details.Client.GetStringAsync(DetailsFailureEndpoints.AdminPath));
    }

    [Fact]
    public async Task Put_admin_fail_with_seconds_fails_until_that_time_then_recovers_by_itself()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var details = await StartAsync(time);

        var put = await details.Client.PutAsync($"{DetailsFailureEndpoints.AdminPath}?status=500&seconds=30", null);
        var during = await details.Client.GetAsync("/details/0");
        time.Advance(TimeSpan.FromSeconds(29));
        var justBefore = await details.Client.GetAsync("/details/0");
        time.Advance(TimeSpan.FromSeconds(1));
        var after = await details.Client.GetAsync("/details/0");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var state = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        Assert.True(state.RootElement.GetProperty("failing").GetBoolean());
        Assert.Equal(500, state.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(time.Start + TimeSpan.FromSeconds(30), state.RootElement.GetProperty("until").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.InternalServerError, during.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, justBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains("\"failing\":false", await details.Client.GetStringAsync(DetailsFailureEndpoints.AdminPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_admin_fail_without_parameters_fails_with_503_until_delete()
    {
        await using var details = await StartAsync();

        var put = await details.Client.PutAsync(DetailsFailureEndpoints.AdminPath, null);
        var failing = await details.Client.GetAsync("/details/0");
        var delete = await details.Client.DeleteAsync(DetailsFailureEndpoints.AdminPath);
        var recovered = await details.Client.GetAsync("/details/0");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Contains("\"failing\":false", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Theory]
    [InlineData("status=200", "status must be a number from 400 to 599")]
    [InlineData("status=600", "status must be a number from 400 to 599")]
    [InlineData("status=abc", "status must be a number from 400 to 599")]
    [InlineData("seconds=0", "seconds must be a whole number from 1 to 86400")]
    [InlineData("seconds=1.5", "seconds must be a whole number from 1 to 86400")]
    [InlineData("seconds=86401", "seconds must be a whole number from 1 to 86400")]
    public async Task Invalid_admin_parameters_are_a_400_and_change_nothing(string query, string error)
    {
        await using var details = await StartAsync();

        var put = await details.Client.PutAsync($"{DetailsFailureEndpoints.AdminPath}?{query}", null);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal($$"""{"error":"{{error}}"}""", await put.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await details.Client.GetAsync("/details/0")).StatusCode);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("200")]
    [InlineData("503x")]
    public async Task An_invalid_bookinfo_fail_stops_the_app_at_start_with_a_message(string value)
    {
        var app = DetailsApp.Build(RunningApp.LoopbackArgs, builder => builder.With(("BOOKINFO_FAIL", value)));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal("BOOKINFO_FAIL must be an HTTP status from 400 to 599 (or empty)", error.Message);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_instance_is_named_after_the_replica_aspire_reports_to_opentelemetry()
    {
        await using var details = await StartAsync(settings: [("BOOKINFO_FAIL", "502"), ("OTEL_RESOURCE_ATTRIBUTES", "service.name=details, service.instance.id=details-kqzv")]);

        var response = await details.Client.GetAsync("/details/0");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("details instance details-kqzv is failing", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<RunningApp> StartAsync(FakeTimeProvider? time = null, params (string, string?)[] settings) =>
        await RunningApp.StartAsync(DetailsApp.Build(RunningApp.LoopbackArgs, builder =>
        {
            builder.With(settings);
            if (time is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(time);
            }
        }));
}
