using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Samples.Shared;

/// <summary>Start-up shared by the Istio sample ports: their ports come from their own settings, and bad settings end the process with one line.</summary>
internal static class SampleHost
{
    /// <summary>
    /// ASPNETCORE_URLS and HTTP_PORTS, which Aspire sets for any HTTP endpoint and .NET container
    /// images set to 8080, are cleared: the sample listens where its settings say (as Istio's
    /// images take their ports from arguments), and Kestrel would ignore them next to explicit
    /// listeners anyway, with a warning at every start.
    /// </summary>
    public static void ListenOnlyWhereConfigured(WebApplicationBuilder builder)
    {
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
    }

    /// <summary>
    /// Builds and runs until Ctrl+C or SIGTERM. Invalid settings: their message on stderr and
    /// <paramref name="exitCode"/> (default 1). A port that cannot be bound: Kestrel's message after
    /// <paramref name="bindFailurePrefix"/>, exit code 1.
    /// </summary>
    public static async Task<int> RunAsync(Func<WebApplication> build, string bindFailurePrefix, Func<SampleConfigurationException, int>? exitCode = null)
    {
        WebApplication app;
        try
        {
            app = build();
        }
        catch (SampleConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return exitCode?.Invoke(e) ?? 1;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"{bindFailurePrefix}{e.Message}");
            return 1;
        }
    }

    /// <summary>How the start-up log names a listener: "localhost:9000", "[::]:9000" (any address, as Go prints ":9000"), "127.0.0.1:9000".</summary>
    public static string Display(string address, IPEndPoint endpoint) =>
        address == SampleListenAddress.Localhost ? $"localhost:{endpoint.Port}" : endpoint.ToString();
}
