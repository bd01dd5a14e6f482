using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// ARSoft's server transport over a TCP listener the proxy bound itself: each connection carries
/// queries with a two-byte length prefix (RFC 1035 §4.2.2), each answered when its answer is ready
/// (pipelined queries may be answered out of order, as RFC 7766 allows), until the client closes it
/// or stays idle for <see cref="IdleTimeout"/>.
/// </summary>
internal sealed class BoundTcpTransport(TcpListener listener) : IServerTransport
{
    public static TimeSpan IdleTimeout { get; } = TimeSpan.FromSeconds(30);

    public ushort DefaultAllowedResponseSize => ushort.MaxValue;

    public bool SupportsMultipleResponses => true;

    public bool AllowTruncatedResponses => false;

    public TransportProtocol TransportProtocol => TransportProtocol.Tcp;

    public void Bind()
    {
        // Bound by the proxy before the server starts.
    }

    public void Close() => listener.Stop();

    public void Dispose() => listener.Dispose();

    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        try
        {
            return new Connection(this, await listener.AcceptSocketAsync(token));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// One client's connection. It closes itself, once reading has ended (the client closed it, it
    /// stayed idle, or it failed) and every query it read has been answered — never when ARSoft's
    /// server disposes it: the server disposes a connection whenever its count of queries being
    /// answered drops to zero, and counts the next read only after the answer's task is started, so
    /// an answer sent before the read loop came round closed the connection under a client that
    /// reuses it (DnsClient.NET and glibc do), and the client's next query failed at once.
    /// </summary>
    private sealed class Connection(BoundTcpTransport transport, Socket socket) : IServerConnection
    {
        // The reader, plus one for each query read and not yet answered; the socket closes at zero.
        private int _holds = 1;

        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => (IPEndPoint)socket.RemoteEndPoint!;

        public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;

        public bool CanRead { get; private set; } = true;

        public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

        public async Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token)
        {
            if (await ReadQueryAsync(token) is { } query)
            {
                Interlocked.Increment(ref _holds);
                return query;
            }

            CanRead = false;
            Release();
            return null;
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token)
        {
            try
            {
                await socket.SendAsync(package.ToArraySegment(true), SocketFlags.None, token);
                return true;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The connection is broken: closing it ends the read waiting on it too.
                socket.Dispose();
                return false;
            }
            finally
            {
                Release();
            }
        }

        public void Dispose()
        {
            // Closed by Release (above), not by the server.
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _holds) == 0)
            {
                socket.Dispose();
            }
        }

        private async Task<DnsReceivedRawPackage?> ReadQueryAsync(CancellationToken token)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
            idle.CancelAfter(IdleTimeout);
            try
            {
                var header = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH];
                if (!await ReadAsync(header, idle.Token))
                {
                    return null;
                }

                var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                var buffer = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + length];
                header.CopyTo(buffer, 0);
                if (!await ReadAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), idle.Token))
                {
                    return null;
                }

                return Parses(new ArraySegment<byte>(buffer, DnsRawPackage.LENGTH_HEADER_LENGTH, length)) ? new DnsReceivedRawPackage(buffer, RemoteEndPoint, LocalEndPoint) : null;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return null;
            }
        }

        /// <summary>
        /// Whether the server can read the message: it sends nothing for one it cannot, so that
        /// query would never be answered (nor the connection closed). A client sending one loses the
        /// connection instead.
        /// </summary>
        private static bool Parses(ArraySegment<byte> message)
        {
            try
            {
                DnsMessage.Parse(message);
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return false;
            }
        }

        private async Task<bool> ReadAsync(Memory<byte> buffer, CancellationToken token)
        {
            while (buffer.Length > 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    return false;
                }

                buffer = buffer[read..];
            }

            return true;
        }
    }
}
