// Bookinfo's details service: the book's publishing details as JSON.
using System.Globalization;
using Mesh.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bookinfo.Details;

internal static class DetailsApp
{
    public const int DefaultPort = 9081;
    public const string NumericIdError = "please provide numeric product id";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMeshedServiceDefaults();
        builder.ListenOnDefaultsUnlessConfigured(kestrel => kestrel.ListenLocalhost(DefaultPort));
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, DetailsJsonContext.Default));
        AddFailureSwitch(builder.Services);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseFailureSwitch(InstanceName(app.Configuration));
        app.MapGet("/details/{productId}", (string productId) =>
            int.TryParse(productId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
                ? Results.Ok(BookDetails.ForProduct(id))
                : Results.BadRequest(new ErrorResponse(NumericIdError)));
        return app;
    }

    /// <summary>
    /// Which instance answers, for the failure switch's messages: POD_NAME (Kubernetes), else the
    /// replica name Aspire gives OpenTelemetry (<c>service.instance.id</c>), else host and process.
    /// </summary>
    public static string InstanceName(IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(configuration["POD_NAME"]))
        {
            return configuration["POD_NAME"]!;
        }

        const string InstanceAttribute = "service.instance.id=";
        var attribute = (configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Split(',')
            .Select(a => a.Trim())
            .FirstOrDefault(a => a.StartsWith(InstanceAttribute, StringComparison.Ordinal));
        return attribute is not null && attribute.Length > InstanceAttribute.Length
            ? attribute[InstanceAttribute.Length..]
            : $"{Environment.MachineName}/{Environment.ProcessId}";
    }

    private static void AddFailureSwitch(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DetailsOptions>()
            .Configure<IConfiguration>((options, configuration) => options.Fail = configuration[DetailsFailureSwitch.EnvironmentVariable])
            .Validate(
                options => DetailsFailureSwitch.TryParseStatus(options.Fail, out _),
                $"{DetailsFailureSwitch.EnvironmentVariable} must be an HTTP status from 400 to 599 (or empty)")
            .ValidateOnStart();
        services.AddSingleton(provider =>
        {
            var failureSwitch = new DetailsFailureSwitch(provider.GetRequiredService<TimeProvider>());
            if (DetailsFailureSwitch.TryParseStatus(provider.GetRequiredService<IOptions<DetailsOptions>>().Value.Fail, out var status) && status is int code)
            {
                failureSwitch.Fail(code, duration: null);
            }

            return failureSwitch;
        });
    }
}
