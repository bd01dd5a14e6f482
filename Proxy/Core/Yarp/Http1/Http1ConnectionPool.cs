using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;

namespace Mesh.Proxy.Core.Yarp.Http1;

/// <summary>
/// Keep-alive HTTP/1.1 connections to one upstream endpoint (scheme, host, port) of the mesh's
/// client. Idle connections are reused last-in first-out, each checked before use (closed by the
/// upstream, or idle longer than the cluster's idle timeout, it is dropped). With a connection
/// limit (DestinationRule <c>http1MaxConnections</c>, YARP's MaxConnectionsPerServer) at most that
/// many requests are in flight, so no more connections are ever open; the rest wait in order.
/// </summary>
internal sealed class Http1ConnectionPool : IDisposable
{
    private readonly Http1ClientSettings _settings;
    private readonly string _host;
    private readonly int _port;
    private readonly EndPoint _endPoint;
    private readonly bool _tls;
    private readonly Stack<Http1Connection> _idle = new();
    private readonly SemaphoreSlim? _limit;
    private bool _disposed;

    public Http1ConnectionPool(Http1ClientSettings settings, Uri uri)
    {
        _settings = settings;
        _host = uri.IdnHost;
        _port = uri.Port;
        _tls = uri.Scheme == Uri.UriSchemeHttps;
        _endPoint = IPAddress.TryParse(_host, out var address) ? new IPEndPoint(address, _port) : new DnsEndPoint(_host, _port);
        var host = _host.Contains(':') ? $"[{_host}]" : _host;
        HostHeader = uri.IsDefaultPort ? host : $"{host}:{_port}";
        _limit = settings.MaxConnections is > 0 and < int.MaxValue ? new SemaphoreSlim(settings.MaxConnections) : null;
    }

    /// <summary>The Host field for requests whose message names none: the URI's authority, as HttpClient writes it.</summary>
    public string HostHeader { get; }

    /// <summary>A connection for one exchange: an idle one that still looks alive, else a new one (<paramref name="pooled"/> false: always new).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<Http1Connection> RentAsync(bool pooled, CancellationToken cancellationToken)
    {
        if (_limit is not null)
        {
            await _limit.WaitAsync(cancellationToken);
        }

        try
        {
            if (pooled && TakeIdle() is { } idle)
            {
                idle.ResponseStarted = false;
                return idle;
            }

            return await ConnectAsync(cancellationToken);
        }
        catch
        {
            _limit?.Release();
            throw;
        }
    }

    /// <summary>Hands a connection back to the pool with no request in flight from here on.</summary>
    public void Return(Http1Connection connection)
    {
        connection.Reused = true;
        connection.IdleSince = Environment.TickCount64;
        var keep = false;
        lock (_idle)
        {
            if (!_disposed)
            {
                _idle.Push(connection);
                keep = true;
            }
        }

        if (!keep)
        {
            connection.Dispose();
        }

        _limit?.Release();
    }

    /// <summary>Closes a connection whose exchange failed or was not read to its end.</summary>
    public void Discard(Http1Connection connection)
    {
        connection.Dispose();
        _limit?.Release();
    }

    private Http1Connection? TakeIdle()
    {
        var now = Environment.TickCount64;
        while (true)
        {
            Http1Connection? candidate;
            lock (_idle)
            {
                if (!_idle.TryPop(out candidate))
                {
                    return null;
                }
            }

            // A negative idle timeout is SocketsHttpHandler's Timeout.InfiniteTimeSpan: no idle limit.
            if ((_settings.IdleTimeout < TimeSpan.Zero || now - candidate.IdleSince < _settings.IdleTimeout.TotalMilliseconds) && candidate.LooksAlive())
            {
                return candidate;
            }

            candidate.Dispose();
        }
    }

    private async ValueTask<Http1Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(_settings.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(_endPoint, connectTimeout.Token);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (_tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(_settings.SslOptionsFor(_host), connectTimeout.Token);
            }

            return new Http1Connection(socket, stream, _settings.MaxResponseHeaderBytes);
        }
        catch (Exception e)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            socket.Dispose();
            throw ConnectFailure(e, cancellationToken);
        }
    }

    /// <summary>Connect failures shaped as SocketsHttpHandler reports them, so error classification (UF, UT) is the same for both clients.</summary>
    private Exception ConnectFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => e,
        OperationCanceledException => new TaskCanceledException(
            $"The connection to {HostHeader} was not established within the connect timeout ({_settings.ConnectTimeout.TotalMilliseconds} ms).",
            new TimeoutException($"Connect timeout ({_settings.ConnectTimeout.TotalMilliseconds} ms) to {HostHeader}.", e)),
        SocketException socket => new HttpRequestException(HttpRequestError.ConnectionError, $"{socket.Message} ({HostHeader})", socket),
        AuthenticationException or IOException when _tls => new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established, see inner exception.", e),
        _ => new HttpRequestException(HttpRequestError.ConnectionError, $"{e.Message} ({HostHeader})", e),
    };

    public void Dispose()
    {
        Http1Connection[] idle;
        lock (_idle)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }
}
