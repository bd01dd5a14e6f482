using System.Collections.Concurrent;
using System.Net.Http.Json;
using Mesh.ControlPlane.Discovery;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Console;

/// <summary>
/// Reads every connected proxy's <c>GET /stats</c> (at the address and admin port it reported in
/// Hello) every <see cref="ConsoleOptions.PollInterval"/> while someone watches the console, and
/// keeps the readings the rates are computed from. Unwatched, it does nothing.
/// </summary>
internal sealed partial class ProxyStatsPoller : BackgroundService
{
    private readonly ConnectedProxies _proxies;
    private readonly ConsoleOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProxyStatsPoller> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, ProxyStatsHistory> _histories = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _polling = new(1, 1);
    private long _watchedAt;
    private int _active;
    private long _polls;

    public ProxyStatsPoller(ConnectedProxies proxies, IOptions<ConsoleOptions> options, TimeProvider time, ILogger<ProxyStatsPoller> logger)
    {
        _proxies = proxies;
        _options = options.Value;
        _time = time;
        _logger = logger;

        // Never through an HTTP proxy from the environment: the proxies' admin ports are direct.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = _options.StatsTimeout,
        };
    }

    /// <summary>Completed polls (diagnostics and tests).</summary>
    public long Polls => Interlocked.Read(ref _polls);

    public ProxyStatsHistory? HistoryOf(string proxyId) => _histories.GetValueOrDefault(proxyId);

    /// <summary>Someone looks at the console: poll (now, if nothing was read yet) and keep polling while they do.</summary>
    public async Task WatchAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _watchedAt, _time.GetTimestamp());
        if (Interlocked.Exchange(ref _active, 1) == 0)
        {
            // The first look after idling: answer with fresh readings rather than an empty graph.
            // (A look racing the loop going idle is caught by the next look: the page asks every few seconds.)
            try
            {
                await PollOnceAsync(cancellationToken);
            }
            finally
            {
                _wake.Release();
            }
        }
    }

    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        await _polling.WaitAsync(cancellationToken);
        try
        {
            var connections = _proxies.All.ToList();
            await Task.WhenAll(connections.Select(c => ReadAsync(c, cancellationToken)));
            var connected = connections.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var id in _histories.Keys.Where(id => !connected.Contains(id)))
            {
                _histories.TryRemove(id, out _);
            }

            Interlocked.Increment(ref _polls);
        }
        finally
        {
            _polling.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(stoppingToken);
            while (_time.GetElapsedTime(Interlocked.Read(ref _watchedAt)) < _options.IdleAfter)
            {
                await Task.Delay(_options.PollInterval, _time, stoppingToken);
                try
                {
                    await PollOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPollFailed(_logger, ex);
                }
            }

            Volatile.Write(ref _active, 0);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task ReadAsync(ProxyConnection connection, CancellationToken cancellationToken)
    {
        var history = _histories.GetOrAdd(connection.Id, _ => new ProxyStatsHistory());
        var port = connection.Node.AdminPort;
        if (port is 0 or > 65535)
        {
            history.Fail(_time.GetUtcNow(), "the proxy reported no admin port");
            return;
        }

        var host = string.IsNullOrWhiteSpace(connection.Node.Address) ? "127.0.0.1" : connection.Node.Address;
        var url = new UriBuilder(Uri.UriSchemeHttp, host, (int)port, "/stats").Uri;
        try
        {
            var reading = await _http.GetFromJsonAsync(url, ConsoleJsonContext.Default.ProxyStatsReading, cancellationToken)
                ?? throw new InvalidDataException("empty document");
            history.Add(_time.GetUtcNow(), reading, _options.RateWindow + (2 * _options.PollInterval));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidDataException or NotSupportedException or UriFormatException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            var error = ex is TaskCanceledException ? $"no answer from {url} within {_options.StatsTimeout.TotalSeconds:0.#} s" : $"{url}: {ex.Message}";
            history.Fail(_time.GetUtcNow(), error);
            LogReadFailed(_logger, connection.Id, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the statistics of proxy {ProxyId} failed: {Error}")]
    private static partial void LogReadFailed(ILogger logger, string proxyId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A statistics poll of the mesh console failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);
}
