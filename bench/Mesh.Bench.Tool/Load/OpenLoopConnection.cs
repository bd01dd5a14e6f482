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
    private Socket? _socket;
    private long _scheduledNs;
    private bool _inFlight;

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
        _scheduledNs = scheduledNs;
        _inFlight = true;
        _run.Recorder.RecordDispatchLag(PreciseClock.NowNs() - scheduledNs);
        try
        {
            var sent = 0;
            while (sent < _request.Length)
            {
                sent += _socket!.Send(_request, sent, _request.Length - sent, SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The receive loop sees the broken socket, fails this request and reconnects.
            _run.NoteError($"send: {ex.Message}", failedRequest: false);
            _socket?.Dispose();
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
                if (_inFlight && _parser.IsCloseDelimited)
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

                _run.OnIdle(this);
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

                _run.OnIdle(this);
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
                }

                _run.OnIdle(this);
            }
            else if (filled == _buffer.Length)
            {
                FailInFlight("response head larger than the receive buffer");
                filled = 0;
                if (!await ReconnectAsync(cancellationToken))
                {
                    return;
                }

                _run.OnIdle(this);
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

    private async Task<bool> ReconnectAsync(CancellationToken cancellationToken)
    {
        _socket?.Dispose();
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
