using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Bookinfo.Tests.Infrastructure;

public static class TestConfiguration
{
    /// <summary>
    /// Adds configuration on top of everything else (environment included), and keeps test
    /// output quiet. A null value means "leave unset".
    /// </summary>
    public static WebApplicationBuilder With(this WebApplicationBuilder builder, params (string Key, string? Value)[] settings)
    {
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Value is not null).Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder;
    }
}
