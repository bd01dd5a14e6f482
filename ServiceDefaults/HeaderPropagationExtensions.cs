using Microsoft.Extensions.DependencyInjection;

namespace Mesh.ServiceDefaults;

public static class HeaderPropagationExtensions
{
    /// <summary>
    /// Forwards the headers named by <see cref="HeaderPropagationOptions"/> on every
    /// HttpClient (gRPC clients included: they are HttpClients underneath).
    /// </summary>
    public static IServiceCollection AddMeshHeaderPropagation(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddOptions<HeaderPropagationOptions>();
        services.AddTransient<HeaderPropagationHandler>();
        services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler<HeaderPropagationHandler>());
        return services;
    }

    /// <summary>Adds header names to forward, on top of <c>x-request-id</c>.</summary>
    public static IServiceCollection PropagateHeaders(this IServiceCollection services, params string[] headers)
    {
        services.Configure<HeaderPropagationOptions>(options =>
        {
            foreach (var header in headers)
            {
                options.Headers.Add(header);
            }
        });
        return services;
    }
}
