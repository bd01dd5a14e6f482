using System.Net;
using Bookinfo.Tests.Infrastructure;
using Mesh.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bookinfo.Tests.ServiceDefaults;

public sealed class ServiceDefaultsTests
{
    [Fact]
    public async Task Meshed_defaults_never_retry_a_failed_call()
    {
        await using var upstream = await RetryableFailureAsync();
        using var host = BuildHost(builder => builder.AddMeshedServiceDefaults(), upstream.Url);

        var response = await host.Services.GetRequiredService<IHttpClientFactory>().CreateClient().GetAsync("http://backend/x");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task Full_defaults_retry_a_failed_call_with_the_standard_resilience_handler()
    {
        await using var upstream = await RetryableFailureAsync();
        using var host = BuildHost(builder => builder.AddServiceDefaults(), upstream.Url);

        var response = await host.Services.GetRequiredService<IHttpClientFactory>().CreateClient().GetAsync("http://backend/x");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(4, upstream.Requests.Count); // 1 try + the standard handler's 3 retries
    }

    [Theory]
    [InlineData("http://backend/probe", "services:backend:http:0")]
    [InlineData("http://_grpc.backend/probe", "services:backend:grpc:0")]
    public async Task Service_discovery_resolves_names_from_services_configuration(string address, string key)
    {
        await using var upstream = await FakeUpstream.JsonAsync("{}");
        using var host = new HostBuilderWith((key, upstream.Url.ToString())).Build(b => b.AddMeshedServiceDefaults());

        var response = await host.Services.GetRequiredService<IHttpClientFactory>().CreateClient().GetAsync(address);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/probe", Assert.Single(upstream.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Alive_runs_only_liveness_checks_while_health_runs_all()
    {
        var builder = WebApplication.CreateBuilder(RunningApp.LoopbackArgs).With();
        builder.AddMeshedServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("database", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy());
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await using var running = await RunningApp.StartAsync(app);

        Assert.Equal(HttpStatusCode.OK, (await running.Client.GetAsync("/alive")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await running.Client.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task Requests_and_upstream_calls_are_not_logged_at_information()
    {
        await using var ratings = await FakeRatingsGrpc.WithRatingsAsync(5, 4);
        var logs = new CollectingLoggerProvider();
        await using var reviews = await RunningApp.StartAsync(Reviews.ReviewsApp.Build(RunningApp.LoopbackArgs, builder =>
        {
            builder.Configuration.AddInMemoryCollection([
                new("REVIEWS_VERSION", "v2"), new("services:ratings:grpc:0", ratings.Url.ToString())]);
            builder.Logging.AddProvider(logs);
        }));
        var startupEntries = logs.Entries.Count;

        for (var i = 0; i < 3; i++)
        {
            (await reviews.Client.GetAsync("/reviews/0")).EnsureSuccessStatusCode();
        }

        Assert.Equal(3, ratings.Service.Calls.Count);
        Assert.DoesNotContain(logs.Entries.Skip(startupEntries), e => e.Level >= LogLevel.Information);
        Assert.Contains(logs.Entries, e => e.Category == "Microsoft.Hosting.Lifetime"); // logging itself works
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("urls", "http://127.0.0.1:5000", true)]
    [InlineData("http_ports", "8080", true)]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:5000", true)]
    public void Default_ports_apply_only_when_no_address_is_configured(string? key, string? value, bool configured)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(key is null ? [] : [new KeyValuePair<string, string?>(key, value)])
            .Build();

        Assert.Equal(configured, DefaultListenAddressExtensions.HasConfiguredAddresses(configuration));
    }

    // 503 with Retry-After: 0 is retryable for the standard handler and makes it retry at once.
    private static Task<FakeUpstream> RetryableFailureAsync() => FakeUpstream.StartAsync(context =>
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "0";
        return Task.CompletedTask;
    });

    private static IHost BuildHost(Action<HostApplicationBuilder> defaults, Uri backend) =>
        new HostBuilderWith(("services:backend:http:0", backend.ToString())).Build(defaults);

    private sealed class HostBuilderWith((string Key, string Value) setting)
    {
        public IHost Build(Action<HostApplicationBuilder> defaults)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(setting.Key, setting.Value)]);
            defaults(builder);
            return builder.Build();
        }
    }
}
