using System.Collections.Concurrent;
using Mesh.Proxy.Core.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mesh.Proxy.Core.Configuration.Probes;

namespace Mesh.Proxy.Core.Admin.AppProbes;

/// <summary>
/// <c>/app-health/&lt;container&gt;/livez|readyz|startupz</c> on the admin listener: the kubelet's
/// rewritten probes. Each runs the app's original probe (<see cref="AppProber"/>) and answers with
/// its status and a one-line reason of the sidecar's own — never the app's response body, since the
/// admin port is reachable from outside the pod while the app is not.
/// </summary>
internal sealed partial class AppProbeEndpoint
{
    public const string PathPrefix = "/app-health/";

    private readonly AppProbeSet _probes;
    private readonly AppProber _prober;
    private readonly ILogger<AppProbeEndpoint> _logger;
    private readonly ConcurrentDictionary<string, bool> _lastPassed = new(StringComparer.Ordinal);

    public AppProbeEndpoint(IOptions<MeshProxyOptions> options, AppProber prober, ILogger<AppProbeEndpoint> logger)
    {
        // The options validator has already refused anything that does not parse.
        _probes = AppProbeSet.TryParse(options.Value.AppProbers, []) ?? AppProbeSet.Empty;
        _prober = prober;
        _logger = logger;
    }

    public IEnumerable<string> Paths => _probes.Probes.Keys.Order(StringComparer.Ordinal);

    public async Task WriteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!_probes.Probes.TryGetValue(path, out var probe))
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, $"no app probe is configured for {path}");
            return;
        }

        var result = await _prober.RunAsync(probe, context.Request, context.RequestAborted);
        if (!_lastPassed.TryGetValue(path, out var passed) || passed != result.Passed)
        {
            _lastPassed[path] = result.Passed;
            if (result.Passed)
            {
                LogPassing(_logger, path, result.Detail);
            }
            else
            {
                LogFailing(_logger, path, result.Detail);
            }
        }

        await WriteAsync(context, result.StatusCode, result.Detail);
    }

    private static Task WriteAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text + "\n");
    }

    [LoggerMessage(1, LogLevel.Information, "App probe {Path} passes: {Detail}")]
    private static partial void LogPassing(ILogger logger, string path, string detail);

    [LoggerMessage(2, LogLevel.Warning, "App probe {Path} fails: {Detail}")]
    private static partial void LogFailing(ILogger logger, string path, string detail);
}
