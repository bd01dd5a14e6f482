using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// The DNS proxy's sockets: UDP and TCP on one address and port (port 0: any free port, the same
/// for both), served by ARSoft's DNS server; <c>answer</c> (the proxy's <see cref="DnsAnswerer"/>) answers each query.
/// </summary>
internal sealed partial class DnsProxyServer : IAsyncDisposable
{
    private readonly DnsServer _server;
    private readonly IServerTransport[] _transports;
    private readonly ILogger _logger;

    private DnsProxyServer(Socket udp, TcpListener tcp, Func<DnsMessage, CancellationToken, Task<DnsMessage>> answer, ILogger logger)
    {
        _logger = logger;
        EndPoint = (IPEndPoint)udp.LocalEndPoint!;
        _transports = [new BoundUdpTransport(udp), new BoundTcpTransport(tcp)];
        _server = new DnsServer(_transports);
        _server.QueryReceived += async (_, e) =>
        {
            if (e.Query is DnsMessage query)
            {
                e.Response = await answer(query, CancellationToken.None);
            }
        };
        _server.ExceptionThrown += (_, e) =>
        {
            Log.Failed(_logger, e.Exception.Message);
            return Task.CompletedTask;
        };
    }

    /// <summary>Where it listens (UDP and TCP).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds UDP and TCP on <paramref name="endPoint"/> and starts answering.</summary>
    public static DnsProxyServer Start(IPEndPoint endPoint, Func<DnsMessage, CancellationToken, Task<DnsMessage>> answer, ILogger logger)
    {
        // Port 0: the port UDP got may be taken for TCP; try a few.
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(endPoint);
                var tcp = new TcpListener(endPoint.Address, ((IPEndPoint)udp.LocalEndPoint!).Port);
                try
                {
                    tcp.Start();
                }
                catch (SocketException) when (endPoint.Port == 0 && attempt < 10)
                {
                    udp.Dispose();
                    continue;
                }

                var server = new DnsProxyServer(udp, tcp, answer, logger);
                server._server.Start();
                return server;
            }
            catch
            {
                udp.Dispose();
                throw;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _server.Stop();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // ARSoft starts its accept loops with the stop token: stopped before a loop ran, the
            // wait throws and the transports are left open; they are closed below either way.
        }
        finally
        {
            foreach (var transport in _transports)
            {
                transport.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "DNS proxy: {Error}")]
        public static partial void Failed(ILogger logger, string error);
    }
}
