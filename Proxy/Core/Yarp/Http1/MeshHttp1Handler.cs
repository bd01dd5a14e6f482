using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// The mesh's upstream HTTP/1.1 client (option <c>Mesh:Http1Client=Mesh</c>, docs/proxy.md): YARP's
/// forwarder hands it the request it built (transforms applied) as to HttpClient; HTTP/1.1
/// requests go over the handler's own keep-alive connections (<see cref="Http1ConnectionPool"/>,
/// one per endpoint), everything that needs HttpClient's features goes to the cluster's
/// SocketsHttpHandler (<see cref="NeedsHttpClient"/>). What the pool saves is HttpClient's
/// connection pool and connection machinery per request; the request and response messages stay,
/// since YARP's transforms and response copying work on them.
/// </summary>
internal sealed class MeshHttp1Handler : DelegatingHandler
{
    private readonly Http1ClientSettings _settings;
    private readonly ConcurrentDictionary<(string Scheme, string Host, int Port), Http1ConnectionPool> _pools = new();
    private readonly bool _httpClientOnly;

    public MeshHttp1Handler(SocketsHttpHandler httpClient)
        : base(httpClient)
    {
        _settings = new Http1ClientSettings(httpClient);

        // A cluster that connects through its own callback (multi-network gateways: TLS to the
        // gateway's SNI) keeps HttpClient, which runs the callback.
        _httpClientOnly = httpClient.ConnectCallback is not null || httpClient.PlaintextStreamFilter is not null;
    }

    /// <summary>
    /// Requests the mesh client does not speak: HTTP/2 and HTTP/1.0 (by the cluster's version),
    /// protocol upgrades (WebSocket, SPDY: the connection becomes a tunnel), CONNECT, and
    /// <c>Expect: 100-continue</c> (the body waits for the upstream's go-ahead).
    /// </summary>
    internal static bool NeedsHttpClient(HttpRequestMessage request)
    {
        if (request.Version != System.Net.HttpVersion.Version11 || request.RequestUri is not { } uri
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || request.Method == HttpMethod.Connect)
        {
            return true;
        }

        var headers = request.Headers.NonValidated;
        return headers.Contains("Upgrade") || headers.Contains("Expect");
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _httpClientOnly || NeedsHttpClient(request) ? base.SendAsync(request, cancellationToken) : SendHttp1Async(request, cancellationToken);

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private async Task<HttpResponseMessage> SendHttp1Async(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var pool = _pools.GetOrAdd((uri.Scheme, uri.IdnHost, uri.Port), static (_, state) => new Http1ConnectionPool(state.Settings, state.Uri), (Settings: _settings, Uri: uri));
        InjectTraceContext(request);

        var connection = await pool.RentAsync(pooled: true, cancellationToken);
        while (true)
        {
            try
            {
                return await Http1Exchange.SendAsync(pool, connection, request, cancellationToken);
            }
            catch (Exception e) when (IsStale(connection, request, e, cancellationToken))
            {
                // The upstream closed a pooled connection as the request went out: nothing of this
                // request was processed, so it goes again on a new connection, as HttpClient does.
                connection = await pool.RentAsync(pooled: false, cancellationToken);
            }
        }
    }

    /// <summary>A reused connection that failed before any response byte, for a request without a body (nothing to replay).</summary>
    private static bool IsStale(Http1Connection connection, HttpRequestMessage request, Exception e, CancellationToken cancellationToken) =>
        connection.Reused && !connection.ResponseStarted && request.Content is null && !cancellationToken.IsCancellationRequested
        && e is HttpRequestException or IOException;

    /// <summary>What HttpClient's diagnostics handler does with the cluster's propagator: the proxy's span names the next hop's parent.</summary>
    private void InjectTraceContext(HttpRequestMessage request)
    {
        if (_settings.Propagator is { } propagator && Activity.Current is { } activity)
        {
            propagator.Inject(activity, request, static (carrier, name, value) =>
            {
                if (carrier is HttpRequestMessage message)
                {
                    message.Headers.TryAddWithoutValidation(name, value);
                }
            });
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var pool in _pools.Values)
            {
                pool.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
