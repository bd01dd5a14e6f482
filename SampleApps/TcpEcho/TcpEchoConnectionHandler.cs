using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Samples.TcpEcho;

/// <summary>
/// One connection, the way Istio's <c>handleConnection</c> serves it: every line (bytes up to and
/// including '\n', so "\r\n" stays "\r\n") comes back as <c>prefix + " " + line</c>; when the
/// client closes its sending side the lines read so far are answered and the connection is
/// closed. Bytes after the last newline are dropped, as Istio's server drops them at EOF.
/// </summary>
/// <remarks>
/// Kestrel's pipes give back-pressure both ways: a client that stops reading stops our flushes,
/// which stops our reads, which fills its TCP window. Lines longer than
/// <see cref="TcpEchoSettings.MaxBufferedLineBytes"/> are streamed out before their newline
/// arrives (Istio's server holds any length); only such a line cut off by EOF differs from
/// Istio's: its start has already been echoed.
/// </remarks>
internal sealed partial class TcpEchoConnectionHandler(TcpEchoSettings settings, ILogger<TcpEchoConnectionHandler> logger)
    : ConnectionHandler
{
    private const int MaxLoggedLineChars = 200;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var remote = connection.RemoteEndPoint?.ToString();
        LogConnectionOpened(remote, connection.LocalEndPoint?.ToString());
        // Server shutdown: stop reading; returning closes the connection.
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var shutdown = closeRequested.Register(static reader => ((PipeReader)reader!).CancelPendingRead(), input);
        try
        {
            await EchoAsync(input, connection.Transport.Output, remote);
        }
        catch (ConnectionResetException e)
        {
            LogReadFailed(remote, e.Message);
        }
        catch (ConnectionAbortedException)
        {
            // Kestrel aborted it (shutdown timeout): nothing left to answer.
        }
        finally
        {
            LogConnectionClosed(remote);
        }
    }

    private async Task EchoAsync(PipeReader input, PipeWriter output, string? remote)
    {
        // True while streaming a line longer than MaxBufferedLineBytes whose prefix is already out.
        var inLongLine = false;
        while (true)
        {
            var result = await input.ReadAsync();
            if (result.IsCanceled)
            {
                return;
            }

            var buffer = result.Buffer;
            var wrote = false;
            while (buffer.PositionOf((byte)'\n') is { } newline)
            {
                var line = buffer.Slice(0, buffer.GetPosition(1, newline));
                WriteLine(output, line, inLongLine, remote);
                inLongLine = false;
                wrote = true;
                buffer = buffer.Slice(line.End);
            }

            if (!buffer.IsEmpty && (inLongLine || buffer.Length >= settings.MaxBufferedLineBytes))
            {
                WriteLine(output, buffer, inLongLine, remote);
                inLongLine = true;
                wrote = true;
                buffer = buffer.Slice(buffer.End);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (wrote && (await output.FlushAsync()).IsCompleted)
            {
                return;
            }

            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private void WriteLine(PipeWriter output, in ReadOnlySequence<byte> bytes, bool continuation, string? remote)
    {
        if (!continuation)
        {
            output.Write(settings.LinePrefix);
        }

        foreach (var segment in bytes)
        {
            output.Write(segment.Span);
        }

        // Istio's server prints every request and response line; here that is Debug, since at
        // benchmark rates formatting lines would cost more than echoing them.
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var text = Encoding.UTF8.GetString(bytes.Length > MaxLoggedLineChars ? bytes.Slice(0, MaxLoggedLineChars) : bytes);
            LogEchoed(remote, bytes.Length, text.TrimEnd('\r', '\n'));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "connection from {Remote} to {Local}")]
    private partial void LogConnectionOpened(string? remote, string? local);

    [LoggerMessage(Level = LogLevel.Debug, Message = "connection from {Remote} closed")]
    private partial void LogConnectionClosed(string? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "echoed {Bytes} bytes to {Remote}: {Line}")]
    private partial void LogEchoed(string? remote, long bytes, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "failed to read data from {Remote}, err: {Reason}")]
    private partial void LogReadFailed(string? remote, string reason);
}
