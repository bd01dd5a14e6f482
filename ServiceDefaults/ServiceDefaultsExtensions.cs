// The defaults every Mesh-hosted service shares (the Aspire "ServiceDefaults" pattern):
// OpenTelemetry, health checks, service discovery, HttpClient defaults, quiet request logging.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Mesh.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the health checks that <c>/alive</c> runs (liveness: the process can serve).</summary>
    public const string LivenessTag = "live";

    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>
    /// Full flavour for services that run without a mesh: telemetry, health checks, service
    /// discovery and the standard resilience handler (retries, timeouts, circuit breaker) on
    /// every HttpClient.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddCommonDefaults();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// Meshed flavour: like <see cref="AddServiceDefaults{TBuilder}"/> but with no client-side
    /// retry or resilience handler. The sidecar owns retries, timeouts and outlier detection;
    /// retrying in the client as well multiplies the load on an upstream that is already failing.
    /// </summary>
    public static TBuilder AddMeshedServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddCommonDefaults();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check must pass: readiness) and <c>/alive</c> (only checks
    /// tagged <see cref="LivenessTag"/>). Both are always mapped: Kubernetes probes and the
    /// sidecar's health checks need them in every environment.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LivenessTag),
        });
        return app;
    }

    private static void AddCommonDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddQuietRequestLogging();
        builder.ConfigureMeshOpenTelemetry();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LivenessTag]);
        builder.Services.AddServiceDiscovery();
        builder.Services.AddMeshHeaderPropagation();
    }

    /// <summary>
    /// ASP.NET Core and HttpClientFactory log every request at Information; at mesh request
    /// rates that is pure overhead (the spans and metrics already carry it). These defaults are
    /// the lowest-priority configuration source, so appsettings or environment variables
    /// (<c>Logging__LogLevel__Microsoft.AspNetCore=Information</c>) still override them.
    /// </summary>
    private static void AddQuietRequestLogging(this IHostApplicationBuilder builder)
    {
        IConfigurationBuilder configuration = builder.Configuration;
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Http"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                ["Logging:LogLevel:Grpc"] = "Warning",
            },
        });
    }
}
