using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// ARSoft's server transport over a UDP socket the proxy bound itself (ARSoft's own transports do
/// not say which port they got, and the DNS proxy binds TCP on the same port as UDP): one query per
/// datagram, answered to its sender.
/// </summary>
internal sealed class BoundUdpTransport(Socket socket) : IServerTransport
{
    // A query is small; 4096 is EDNS' usual payload size, enough for any query a resolver sends.
    private const int MaxQuery = 4096;

    public ushort DefaultAllowedResponseSize => 512;

    public bool SupportsMultipleResponses => false;

    public bool AllowTruncatedResponses => true;

    public TransportProtocol TransportProtocol => TransportProtocol.Udp;

    public IPEndPoint LocalEndPoint => (IPEndPoint)socket.LocalEndPoint!;

    public void Bind()
    {
        // Bound by the proxy before the server starts.
    }

    public void Close() => socket.Close();

    public void Dispose() => socket.Dispose();

    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token = default)
    {
        var buffer = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + MaxQuery];
        try
        {
            var received = await socket.ReceiveFromAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), SocketFlags.None, new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), token);
            BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)received.ReceivedBytes);
            var remote = (IPEndPoint)received.RemoteEndPoint;
            return new Connection(this, socket, new DnsReceivedRawPackage(buffer, remote, LocalEndPoint), remote);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return null;
        }
    }

    private sealed class Connection(BoundUdpTransport transport, Socket socket, DnsReceivedRawPackage query, IPEndPoint remote) : IServerConnection
    {
        public IServerTransport Transport => transport;

        public IPEndPoint RemoteEndPoint => remote;

        public IPEndPoint LocalEndPoint => transport.LocalEndPoint;

        public bool CanRead { get; private set; } = true;

        public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

        public Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token)
        {
            CanRead = false;
            return Task.FromResult<DnsReceivedRawPackage?>(query);
        }

        public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token)
        {
            try
            {
                return await socket.SendToAsync(package.ToArraySegment(false), SocketFlags.None, remote, token) == package.Length;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            // The socket is the transport's.
        }
    }
}
