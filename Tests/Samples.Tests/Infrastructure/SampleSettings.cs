using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Samples.Tests.Infrastructure;

public static class SampleSettings
{
    /// <summary>Configuration on top of everything else (environment included); quiet test output. A null value leaves a key unset.</summary>
    public static WebApplicationBuilder With(this WebApplicationBuilder builder, params (string Key, string? Value)[] settings)
    {
        // Later settings win, so callers can override defaults.
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(merged.Where(s => s.Value is not null));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder;
    }

    /// <summary>Guards a test against hanging on a broken socket; not a timing assertion.</summary>
    public static CancellationToken HangGuard() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
}
