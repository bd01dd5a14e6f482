using System.Net.Sockets;
using Mesh.Proxy.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Sidecar: checks every <see cref="MeshProxyOptions.AppHealthIntervalMs"/> that the app accepts
/// connections on each inbound target port (a TCP check, as Istio's agent does for a
/// WorkloadGroup's <c>tcpSocket</c> probe) and records the result in <see cref="AppHealthState"/>,
/// which the discovery stream reports: an app that exited leaves its services' endpoints at once
/// instead of waiting for outlier detection, and comes back when it listens again. Off (0) unless
/// configured; the Aspire hosting turns it on for every sidecar it runs.
/// </summary>
internal sealed partial class AppHealthChecker(
    IOptions<MeshProxyOptions> options,
    AppHealthState state,
    TimeProvider time,
    ILogger<AppHealthChecker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // A WorkloadGroup's readiness probe, when given, decides instead (ReadinessProbeChecker).
        if (settings.Mode != MeshProxyMode.Sidecar || settings.AppHealthIntervalMs <= 0 || settings.Inbound.Count == 0
            || !string.IsNullOrWhiteSpace(settings.ReadinessProbe))
        {
            return;
        }

        var interval = TimeSpan.FromMilliseconds(settings.AppHealthIntervalMs);
        var targets = settings.Inbound.Select(p => p.TargetPort != 0 ? p.TargetPort : p.Port).Distinct().ToArray();
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            var failure = await FirstFailureAsync(settings.AppAddress, targets, interval, stoppingToken);
            if (state.Set(failure is null, failure ?? ""))
            {
                if (failure is null)
                {
                    LogReady(logger, settings.AppAddress, string.Join(", ", targets));
                }
                else
                {
                    LogNotReady(logger, failure);
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>The first target the app does not accept a connection on, as "address:port: error"; null when all do.</summary>
    internal static async Task<string?> FirstFailureAsync(string address, IReadOnlyList<int> ports, TimeSpan timeout, CancellationToken cancellationToken)
    {
        foreach (var port in ports)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(address, port, deadline.Token);
            }
            catch (SocketException ex)
            {
                return $"{address}:{port}: {ex.SocketErrorCode}";
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return $"{address}:{port}: no answer within {timeout.TotalMilliseconds:0} ms";
            }
        }

        return null;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "App is up on {Address} ({Ports}): reported ready")]
    private static partial void LogReady(ILogger logger, string address, string ports);

    [LoggerMessage(Level = LogLevel.Warning, Message = "App is down ({Failure}): reported not ready, its endpoints leave the mesh until it listens again")]
    private static partial void LogNotReady(ILogger logger, string failure);
}
