using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.Hosting;

/// <summary>
/// The readiness check of the mesh's own programs (control plane, sidecars, gateways): an HTTP GET
/// of their readiness path that, until the program has been ready once, keeps asking every
/// <see cref="StartupPollInterval"/> for up to <see cref="StartupWindow"/> before it answers
/// unhealthy — a Kubernetes startup probe. Aspire re-runs a failing check after 1, 2, 3, 4, 5 s,
/// so a program ready 0.2 s after a failed check was seen up to 5 s later; everything that
/// <c>WaitFor</c>s it (each app waits for its sidecar, the sidecars for the control plane) started
/// that much later, at every link of the chain. After the first success it is one GET per check,
/// as Aspire's own HTTP check.
/// </summary>
internal sealed class MeshReadinessCheck(EndpointReference endpoint, string path, TimeProvider time) : IHealthCheck
{
    internal static readonly TimeSpan StartupWindow = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan StartupPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    // One client for every check of the AppHost: loopback only, no proxy, no connection kept.
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private volatile bool _readyOnce;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!endpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy($"endpoint {endpoint.EndpointName} has no port yet");
        }

        var uri = new Uri($"{endpoint.Url}{path}");
        var deadline = time.GetTimestamp() + (long)(StartupWindow.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var reason = await GetAsync(uri, cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                _readyOnce = true;
                return HealthCheckResult.Healthy();
            }

            if (_readyOnce || time.GetTimestamp() >= deadline)
            {
                return HealthCheckResult.Unhealthy(reason);
            }

            await Task.Delay(StartupPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Null when the program answers 2xx, else why not.</summary>
    private async Task<string?> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(AttemptTimeout);
        try
        {
            using var response = await Client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"GET {uri} answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return $"GET {uri}: {ex.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"GET {uri}: no answer within {AttemptTimeout.TotalSeconds:0} s";
        }
    }
}

/// <summary>Registers <see cref="MeshReadinessCheck"/> on a mesh program resource.</summary>
internal static class MeshReadinessCheckExtensions
{
    public static IResourceBuilder<T> WithMeshReadinessCheck<T>(this IResourceBuilder<T> builder, string path, string endpointName)
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.Resource.GetEndpoint(endpointName);
        var key = $"{builder.Resource.Name}_{endpointName}_mesh_readiness";
        // One instance for the resource's lifetime (the registration's factory runs for every check):
        // it remembers that the program was ready once.
        var check = new MeshReadinessCheck(endpoint, path, TimeProvider.System);
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, _ => check, failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
