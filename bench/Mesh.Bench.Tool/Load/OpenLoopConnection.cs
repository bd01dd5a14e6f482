using System.Net;
using System.Net.Sockets;

namespace Mesh.Bench.Tool.Load;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the open-loop generator with at most one request in
/// flight. Its receive loop times each response from the request's scheduled send time and then
/// asks the run for the next request (a backlog that built up while all connections were busy).
/// </summary>
internal sealed class OpenLoopConnection
{
    private readonly IPEndPoint _endPoint;
    private readonly byte[] _request;
    private readonly OpenLoopHttpRun _run;
    private readonly Http1ResponseParser _parser = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly Lock _state = new();
    private Socket? _socket;
    private long _scheduledNs;
    private bool _inFlight;
    private bool _reconnecting;
    private bool _unsent;

    public OpenLoopConnection(IPEndPoint endPoint, byte[] request, OpenLoopHttpRun run)
    {
        _endPoint = endPoint;
        _request = request;
        _run = run;
    }

    public int Reconnects { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(_endPoint, cancellationToken);
        _socket = socket;
    }

    /// <summary>Sends the request scheduled at <paramref name="scheduledNs"/> (called by the dispatcher or the receive loop).</summary>
    public void Send(long scheduledNs)
    {
        _run.Recorder.RecordDispatchLag(PreciseClock.NowNs() - scheduledNs);
        SendScheduled(scheduledNs);
    }

    private void SendScheduled(long scheduledNs)
    {
        lock (_state)
        {
            _scheduledNs = scheduledNs;
            _inFlight = true;
            if (_reconnecting)
            {
                // The server closed this idle keep-alive connection and the receive loop is
                // replacing it: the request goes out on the new connection.
                _unsent = true;
                return;
            }

            try
            {
                SendRequest(_socket!);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The connection broke before the request left (a keep-alive close racing the
                // send): the receive loop sees it, and sends the request again on a new connection.
                _run.NoteError($"send: {ex.Message}", failedRequest: false);
                _unsent = true;
                _socket!.Dispose();
            }
        }
    }

    private void SendRequest(Socket socket)
    {
        var sent = 0;
        while (sent < _request.Length)
        {
            sent += socket.Send(_request, sent, _request.Length - sent, SocketFlags.None);
        }
    }

    public async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            int read;
            try
            {
                read = await _socket!.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                read = 0;
                _run.NoteError($"receive: {ex.Message}", failedRequest: false);
            }

            if (read == 0)
            {
                bool unsent;
                lock (_state)
                {
                    _reconnecting = true;
                    unsent = _unsent;
                }

                if (unsent)
                {
                    // The request never left (Send failed or waits): not a failure, it is sent on the new connection.
                }
                else if (_inFlight && _parser.IsCloseDelimited)
                {
                    Complete();
                }
                else
                {
                    FailInFlight("connection closed by the server with a request in flight");
                }

                filled = 0;
                if (!await ReconnectAsync(cancellationToken))
                {
                    return;
                }

                ResumeAfterReconnect();
                continue;
            }

            filled += read;
            bool done;
            int consumed;
            try
            {
                done = _parser.TryParse(_buffer.AsSpan(0, filled), out consumed);
            }
            catch (InvalidDataException ex)
            {
                FailInFlight($"malformed response: {ex.Message}");
                filled = 0;
                if (!await ReconnectAsync(cancellationToken))
                {
                    return;
                }

                ResumeAfterReconnect();
                continue;
            }

            Array.Copy(_buffer, consumed, _buffer, 0, filled - consumed);
            filled -= consumed;
            if (done)
            {
                var close = _parser.ConnectionClose;
                Complete();
                if (close)
                {
                    filled = 0;
                    if (!await ReconnectAsync(cancellationToken))
                    {
                        return;
                    }

                    ResumeAfterReconnect();
                }
                else
                {
                    _run.OnIdle(this);
                }
            }
            else if (filled == _buffer.Length)
            {
                FailInFlight("response head larger than the receive buffer");
                filled = 0;
                if (!await ReconnectAsync(cancellationToken))
                {
                    return;
                }

                ResumeAfterReconnect();
            }
        }
    }

    private void Complete()
    {
        var now = PreciseClock.NowNs();
        _inFlight = false;
        var ok = _parser.StatusCode == 200 && (_run.Options.ExpectedBodyBytes == 0 || _parser.BodyBytes == _run.Options.ExpectedBodyBytes);
        if (ok)
        {
            _run.Recorder.Record(now - _scheduledNs);
        }
        else
        {
            _run.NoteError($"status {_parser.StatusCode}, body {_parser.BodyBytes} bytes");
        }

        _parser.Reset();
    }

    private void FailInFlight(string reason)
    {
        if (_inFlight)
        {
            _inFlight = false;
            _run.NoteError(reason);
        }

        _parser.Reset();
    }

    /// <summary>After a reconnect: the request that did not leave goes out now; else the connection is idle again.</summary>
    private void ResumeAfterReconnect()
    {
        bool resend;
        lock (_state)
        {
            _reconnecting = false;
            resend = _unsent;
            _unsent = false;
        }

        if (resend)
        {
            SendScheduled(_scheduledNs);
        }
        else
        {
            _run.OnIdle(this);
        }
    }

    private async Task<bool> ReconnectAsync(CancellationToken cancellationToken)
    {
        lock (_state)
        {
            _reconnecting = true;
            _socket?.Dispose();
        }

        Reconnects++;
        try
        {
            await ConnectAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            _run.NoteError($"reconnect: {ex.Message}", failedRequest: false);
            return false;
        }
    }
}
