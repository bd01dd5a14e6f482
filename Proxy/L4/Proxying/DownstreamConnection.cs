using System.IO.Pipelines;
using System.Net.Sockets;
using Mesh.Proxy.Core.Listeners;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Mesh.Proxy.L4.Proxying;

/// <summary>
/// The caller's side of a proxied connection. Plaintext bytes are read from Kestrel's input pipe
/// (bounded: Kestrel stops reading the socket while the pipe holds its limit) and written straight
/// to the socket, so that a half-close is a real one — shutdown(SHUT_WR) right after the last byte
/// (completing Kestrel's output pipe would close the whole socket). TLS the proxy terminated
/// (<see cref="NetworkTlsFeature"/>) is read and written through its TLS stream, whose writes also go
/// straight to the socket; its half-close is the same TCP shutdown, without a close_notify (which
/// OpenSSL cannot send while a read is pending). Without a socket (other transports) the output
/// pipe is used and a half-close closes.
/// </summary>
internal sealed class DownstreamConnection
{
    private readonly ConnectionContext _connection;
    private readonly Socket? _socket;
    private readonly Stream? _tls;

    public DownstreamConnection(ConnectionContext connection)
    {
        _connection = connection;
        var tls = connection.Features.Get<NetworkTlsFeature>();
        _socket = tls is null ? connection.Features.Get<IConnectionSocketFeature>()?.Socket : tls.Socket;
        _tls = tls?.Stream;
        Input = _tls is null ? connection.Transport.Input : PipeReader.Create(_tls, new StreamPipeReaderOptions(leaveOpen: true));
    }

    public PipeReader Input { get; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(data, cancellationToken);
            return;
        }

        if (_socket is not null)
        {
            while (!data.IsEmpty)
            {
                var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
                data = data[sent..];
            }

            return;
        }

        var flushed = await _connection.Transport.Output.WriteAsync(data, cancellationToken);
        if (flushed.IsCompleted)
        {
            throw new IOException("the downstream connection is closed");
        }
    }

    /// <summary>Half-close towards the caller: it reads end-of-stream, and may still send.</summary>
    public async ValueTask ShutdownSendAsync()
    {
        if (_socket is not null)
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        else
        {
            await _connection.Transport.Output.CompleteAsync();
        }
    }

    /// <summary>Aborts with a TCP reset, so the caller sees the upstream's failure rather than a clean end.</summary>
    public void Reset(string reason)
    {
        if (_socket is not null)
        {
            try
            {
                _socket.LingerState = new LingerOption(true, 0);
                _socket.Close();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }

        _connection.Abort(new ConnectionAbortedException(reason));
    }
}
