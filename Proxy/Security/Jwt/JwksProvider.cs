using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>
/// Key sets named by <c>jwksUri</c>: fetched when a snapshot names them (and on first use),
/// cached for 20 minutes (Istio's refresh interval), refreshed early when a token names a key the
/// set does not have. A failed refresh keeps the keys already known; with none, tokens of that
/// issuer fail with "Jwks remote fetch is failed". Fetches are shared by concurrent requests.
/// </summary>
internal sealed partial class JwksProvider : IDisposable
{
    private static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnknownKeyRefreshInterval = TimeSpan.FromSeconds(30);
    private const int MaxResponseBytes = 1024 * 1024;

    private readonly ConcurrentDictionary<Uri, Entry> _entries = new();
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public JwksProvider(TimeProvider time, ILogger<JwksProvider> logger)
    {
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1) })
        {
            Timeout = TimeSpan.FromSeconds(5),
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
    }

    /// <summary>Starts fetching key sets a new snapshot names, so the first request does not wait.</summary>
    public void Prefetch(Uri uri) => _ = GetAsync(uri, unknownKey: false).AsTask();

    /// <summary>The key set (null when it was never fetched successfully).</summary>
    /// <param name="unknownKey">A token named a key the cached set lacks: refresh if the set is not brand new.</param>
    public ValueTask<JsonWebKeySet?> GetAsync(Uri uri, bool unknownKey)
    {
        var entry = _entries.GetOrAdd(uri, static _ => new Entry());
        var now = _time.GetUtcNow();
        var keys = entry.Keys;
        var due = keys is null
            ? now >= entry.NextAttempt
            : now >= entry.FetchedAt + CacheDuration || (unknownKey && now >= entry.FetchedAt + UnknownKeyRefreshInterval);
        if (!due)
        {
            return ValueTask.FromResult(keys);
        }

        return new ValueTask<JsonWebKeySet?>(entry.Fetch(() => FetchAsync(uri, entry)));
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonWebKeySet?> FetchAsync(Uri uri, Entry entry)
    {
        try
        {
            var json = await _http.GetStringAsync(uri);
            var keys = JsonWebKeySet.Parse(json, out var error) ?? throw new InvalidOperationException(error);
            entry.Keys = keys;
            entry.FetchedAt = _time.GetUtcNow();
            Log.Fetched(_logger, uri, keys.Keys.Length);
            return keys;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            entry.NextAttempt = _time.GetUtcNow() + RetryAfterFailure;
            if (entry.Keys is not null)
            {
                // Keep serving the last good keys; try again later.
                entry.FetchedAt = _time.GetUtcNow() - CacheDuration + RetryAfterFailure;
            }

            Log.FetchFailed(_logger, uri, ex.Message);
            return entry.Keys;
        }
    }

    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private Task<JsonWebKeySet?>? _inFlight;

        public volatile JsonWebKeySet? Keys;

        public DateTimeOffset FetchedAt { get; set; }

        public DateTimeOffset NextAttempt { get; set; }

        public Task<JsonWebKeySet?> Fetch(Func<Task<JsonWebKeySet?>> fetch)
        {
            lock (_lock)
            {
                if (_inFlight is { IsCompleted: false } running)
                {
                    return running;
                }

                _inFlight = fetch();
                return _inFlight;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Fetched the JSON Web Key Set {Uri} ({Count} keys).")]
        public static partial void Fetched(ILogger logger, Uri uri, int count);

        [LoggerMessage(2, LogLevel.Warning, "Fetching the JSON Web Key Set {Uri} failed: {Reason}.")]
        public static partial void FetchFailed(ILogger logger, Uri uri, string reason);
    }
}
