using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// ARSoft's server transport over a TCP listener the proxy bound itself: each connection carries
/// queries with a two-byte length prefix (RFC 1035 §4.2.2), answered in order, until the client
/// closes it or stays idle for <see cref="IdleTimeout"/>.
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

    private sealed class Connection(BoundTcpTransport transport, Socket socket) : IServerConnection
    {
        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => (IPEndPoint)socket.RemoteEndPoint!;

        public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;

        public bool CanRead { get; private set; } = true;

        public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

        public async Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token)
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
                return await ReadAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), idle.Token)
                    ? new DnsReceivedRawPackage(buffer, RemoteEndPoint, LocalEndPoint)
                    : null;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                CanRead = false;
                return null;
            }
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
                CanRead = false;
                return false;
            }
        }

        public void Dispose() => socket.Dispose();

        private async Task<bool> ReadAsync(Memory<byte> buffer, CancellationToken token)
        {
            while (buffer.Length > 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    CanRead = false;
                    return false;
                }

                buffer = buffer[read..];
            }

            return true;
        }
    }
}
