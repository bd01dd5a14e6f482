using System.Globalization;
using Mesh.ServiceDefaults;

namespace Bookinfo.Details;

/// <summary>The failure switch's admin endpoint and the middleware that fails requests while it is on.</summary>
internal static class DetailsFailureEndpoints
{
    public const string AdminPath = "/admin/fail";

    internal static WebApplication UseFailureSwitch(this WebApplication app, string instance)
    {
        app.Use(async (context, next) =>
        {
            if (context.RequestServices.GetRequiredService<DetailsFailureSwitch>().Current is { } failure && !IsExempt(context.Request.Path))
            {
                context.Response.StatusCode = failure.Status;
                await context.Response.WriteAsJsonAsync(
                    new ErrorResponse($"details instance {instance} is failing on purpose ({DetailsFailureSwitch.EnvironmentVariable}={failure.Status})"),
                    DetailsJsonContext.Default.ErrorResponse);
                return;
            }

            await next(context);
        });

        app.MapGet(AdminPath, (DetailsFailureSwitch failureSwitch) => State(failureSwitch.Current, instance));
        app.MapPut(AdminPath, (string? status, string? seconds, DetailsFailureSwitch failureSwitch) =>
        {
            if (!TryParse(status, 100, 999, out var code) || (code is int c && !DetailsFailureSwitch.IsFailureStatus(c)))
            {
                return Results.BadRequest(new ErrorResponse(DetailsFailureSwitch.StatusError));
            }

            if (!TryParse(seconds, 1, DetailsFailureSwitch.MaxSeconds, out var duration))
            {
                return Results.BadRequest(new ErrorResponse($"seconds must be a whole number from 1 to {DetailsFailureSwitch.MaxSeconds}"));
            }

            var failure = failureSwitch.Fail(code ?? DetailsFailureSwitch.DefaultStatus, duration is int s ? TimeSpan.FromSeconds(s) : null);
            return State(failure, instance);
        });
        app.MapDelete(AdminPath, (DetailsFailureSwitch failureSwitch) =>
        {
            failureSwitch.Recover();
            return State(null, instance);
        });
        return app;
    }

    // Probes and the switch itself keep working while the instance fails.
    private static bool IsExempt(PathString path) =>
        path.StartsWithSegments(ServiceDefaultsExtensions.HealthEndpointPath)
        || path.StartsWithSegments(ServiceDefaultsExtensions.AlivenessEndpointPath)
        || path.StartsWithSegments(AdminPath);

    private static IResult State(DetailsFailure? failure, string instance) =>
        Results.Ok(new FailureState(failure is not null, failure?.Status, failure?.Until, instance));

    // Absent is fine (null); present must be a whole number in range.
    private static bool TryParse(string? text, int min, int max, out int? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            value = parsed;
            return true;
        }

        return false;
    }
}

/// <summary>Answer of <c>/admin/fail</c>: whether this instance fails, with what, until when, and which instance it is.</summary>
internal sealed record FailureState(bool Failing, int? Status, DateTimeOffset? Until, string Instance);
