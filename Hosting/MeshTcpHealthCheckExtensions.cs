using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting;

/// <summary>Health of apps that speak no HTTP (databases, brokers, Istio's tcp-echo).</summary>
public static class MeshTcpHealthCheckExtensions
{
    /// <summary>
    /// The resource is healthy while a TCP connection to its endpoint <paramref name="endpointName"/>
    /// succeeds — Kubernetes' <c>tcpSocket</c> probe. Dependents that <c>WaitFor</c> it start once
    /// it accepts connections; published manifests probe the same port (through the sidecar, as
    /// Istio rewrites probes).
    /// </summary>
    public static IResourceBuilder<T> WithTcpHealthCheck<T>(this IResourceBuilder<T> builder, string endpointName)
        where T : IResourceWithEndpoints
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpointName);
        var endpoint = builder.Resource.GetEndpoint(endpointName);
        var key = $"{builder.Resource.Name}_{endpointName}_tcp_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, _ => new TcpConnectHealthCheck(endpoint), failureStatus: null, tags: null));
        builder.WithAnnotation(new TcpHealthCheckAnnotation(endpointName));
        return builder.WithHealthCheck(key);
    }

    private sealed class TcpConnectHealthCheck(EndpointReference endpoint) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy($"endpoint {endpoint.EndpointName} has no port yet");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException ex)
            {
                return HealthCheckResult.Unhealthy($"{endpoint.Host}:{endpoint.Port}: {ex.SocketErrorCode}");
            }
        }
    }
}
