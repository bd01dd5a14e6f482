using System.Diagnostics;
using Mesh.Proxy.Core.Admin.AppProbes;
using Mesh.Proxy.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mesh.Proxy.Core.Configuration.Probes;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Sidecar on a VM: runs its WorkloadGroup's readiness probe (<see cref="MeshProxyOptions.ReadinessProbe"/>)
/// as Istio's agent does — after <c>initialDelaySeconds</c>, every <c>periodSeconds</c>, each try
/// bounded by <c>timeoutSeconds</c>; an HTTP GET answered 200–399, a TCP connect, or a command that
/// exits 0 passes — and records readiness in <see cref="AppHealthState"/> once
/// <c>successThreshold</c> tries in a row passed or <c>failureThreshold</c> failed. The discovery
/// stream reports it; the control plane keeps a VM that is not ready out of its services'
/// endpoints. Not ready until the first pass, as a Kubernetes readiness probe.
/// </summary>
internal sealed partial class ReadinessProbeChecker(
    IOptions<MeshProxyOptions> options,
    AppHealthState state,
    TimeProvider time,
    ILogger<ReadinessProbeChecker> logger) : BackgroundService
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        // Kubernetes does not verify the app's certificate for an HTTPS probe, nor follow it elsewhere.
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        AllowAutoRedirect = false,
        UseProxy = false,
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Mode != MeshProxyMode.Sidecar || string.IsNullOrWhiteSpace(settings.ReadinessProbe)
            || ReadinessProbeSpec.Parse(settings.ReadinessProbe, []) is not { } probe)
        {
            return;
        }

        state.Set(false, "the readiness probe has not passed yet");
        try
        {
            await Task.Delay(probe.InitialDelay, time, stoppingToken);
            using var timer = new PeriodicTimer(probe.Period, time);
            int passed = 0, failed = 0;
            do
            {
                var failure = await RunAsync(probe, settings.AppAddress, time, stoppingToken);
                (passed, failed) = failure is null ? (passed + 1, 0) : (0, failed + 1);
                if (failure is null && passed >= probe.Successes && state.Set(true, ""))
                {
                    LogReady(logger);
                }
                else if (failure is not null && failed >= probe.Failures && state.Set(false, failure))
                {
                    LogNotReady(logger, failure);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One try of the probe: null when it passed, else why not.</summary>
    internal static async Task<string?> RunAsync(ReadinessProbeSpec probe, string appAddress, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(probe.Timeout, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (probe.TcpSocket is { } tcp)
            {
                using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(tcp.Host ?? appAddress, tcp.Port, deadline.Token);
                return null;
            }

            if (probe.HttpGet is { } http)
            {
                var scheme = http.Scheme == "HTTPS" ? "https" : "http";
                var path = string.IsNullOrEmpty(http.Path) ? "/" : http.Path.StartsWith('/') ? http.Path : "/" + http.Path;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{Host(http.Host ?? appAddress)}:{http.Port}{path}");
                foreach (var header in http.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name ?? "", header.Value ?? "");
                }

                using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;
                return status is >= 200 and < 400 ? null : $"GET {request.RequestUri} answered {status}";
            }

            return await ExecAsync(probe.Exec!.Command!, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {probe.Timeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or HttpRequestException or System.ComponentModel.Win32Exception)
        {
            return ex.Message;
        }
    }

    private static async Task<string?> ExecAsync(List<string> command, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new System.ComponentModel.Win32Exception($"cannot start {command[0]}");
        try
        {
            // Drain the output so a chatty command cannot block on a full pipe.
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await Task.WhenAll(output, error);
            return process.ExitCode == 0 ? null : $"{command[0]} exited with {process.ExitCode}: {error.Result.Trim()}";
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    private static string Host(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;

    [LoggerMessage(Level = LogLevel.Information, Message = "The readiness probe passes: reported ready")]
    private static partial void LogReady(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The readiness probe fails ({Failure}): reported not ready, the workload leaves the mesh's endpoints until it passes again")]
    private static partial void LogNotReady(ILogger logger, string failure);
}
