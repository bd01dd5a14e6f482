using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Mesh.Proxy.L4.Proxying;

/// <summary>
/// The caller's side of a proxied connection. Bytes are read from Kestrel's input pipe (bounded:
/// Kestrel stops reading the socket while the pipe holds its limit). Bytes are written to the TLS
/// stream Kestrel terminated, else straight to the socket, so that a half-close is a real one
/// (completing Kestrel's output pipe would close the whole socket): shutdown(SHUT_WR) after a TLS
/// close_notify. Without a socket (other transports) the output pipe is used and half-close closes.
/// </summary>
internal sealed class DownstreamConnection
{
    private readonly ConnectionContext _connection;
    private readonly Socket? _socket;
    private readonly SslStream? _tls;

    public DownstreamConnection(ConnectionContext connection)
    {
        _connection = connection;
        _socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        _tls = connection.Features.Get<ISslStreamFeature>()?.SslStream;
    }

    public PipeReader Input => _connection.Transport.Input;

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
        if (_tls is not null)
        {
            await _tls.ShutdownAsync();
        }

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
