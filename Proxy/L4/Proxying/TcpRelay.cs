using System.Buffers;
using System.IO.Pipelines;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.Upstream;

namespace Mesh.Proxy.L4.Proxying;

/// <summary>
/// Copies bytes both ways between the caller and the upstream until both are done, as Envoy's
/// tcp_proxy: each direction's end of stream becomes a half-close of the other side (the other
/// direction keeps flowing), nothing is lost or reordered, and memory is bounded — the proxy reads
/// a side only as fast as the other side takes the bytes (Kestrel's bounded input pipe one way, one
/// pooled buffer the other). A side that fails (reset, broken write) makes the proxy reset the other
/// with a TCP RST rather than leave it hanging. No byte either way for the idle timeout, or the
/// maximum connection duration, closes both sides.
/// </summary>
internal sealed class TcpRelay
{
    public const int BufferSize = 64 * 1024;

    private readonly DownstreamConnection _downstream;
    private readonly UpstreamConnection _upstream;
    private readonly TcpProxySession _session;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private long _lastActivity;
    private volatile string? _stopReason;
    private ITimer? _idleTimer;
    private byte[]? _gather;

    public TcpRelay(DownstreamConnection downstream, UpstreamConnection upstream, TcpProxySession session, TimeProvider time)
    {
        _downstream = downstream;
        _upstream = upstream;
        _session = session;
        _time = time;
        _lastActivity = time.GetTimestamp();
    }

    /// <summary>Relays until both directions ended; returns why the proxy stopped it (null when the peers ended it).</summary>
    public async Task<string?> RunAsync(L4PoolSettings pool, CancellationToken shutdown)
    {
        using var shutdownRegistration = shutdown.Register(() => Stop("the proxy is shutting down"));
        using var idle = pool.IdleTimeout is { } idleTimeout ? _time.CreateTimer(_ => CheckIdle(idleTimeout), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) : null;
        using var lifetime = pool.MaxConnectionDuration is { } duration ? _time.CreateTimer(_ => Stop($"maxConnectionDuration {duration} reached"), null, duration, Timeout.InfiniteTimeSpan) : null;
        _idleTimer = idle;
        if (pool.IdleTimeout is { } due)
        {
            idle!.Change(due, Timeout.InfiniteTimeSpan);
        }

        var toUpstream = DownstreamToUpstreamAsync();
        var toDownstream = UpstreamToDownstreamAsync();
        var first = await Task.WhenAny(toUpstream, toDownstream);
        var firstEnd = await first;
        if (firstEnd != RelayEnd.Finished)
        {
            Fail(firstEnd);
        }

        var secondEnd = await (first == toUpstream ? toDownstream : toUpstream);
        if (secondEnd != RelayEnd.Finished && firstEnd == RelayEnd.Finished)
        {
            Fail(secondEnd);
        }

        _stop.Dispose();
        return _stopReason;
    }

    private void Fail(RelayEnd end)
    {
        switch (end)
        {
            case RelayEnd.DownstreamFailed:
                _session.Flags |= ResponseFlags.DownstreamConnectionTermination;
                _upstream.Reset();
                break;
            case RelayEnd.UpstreamFailed:
                _session.Flags |= ResponseFlags.UpstreamConnectionTermination;
                _downstream.Reset("the upstream connection failed");
                break;
        }

        StopPumps();
    }

    private void Stop(string reason)
    {
        _stopReason ??= reason;
        StopPumps();
    }

    private void StopPumps()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void CheckIdle(TimeSpan idleTimeout)
    {
        var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (quiet >= idleTimeout)
        {
            Stop($"idle for {idleTimeout}");
        }
        else
        {
            _idleTimer?.Change(idleTimeout - quiet, Timeout.InfiniteTimeSpan);
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private async Task<RelayEnd> DownstreamToUpstreamAsync()
    {
        await Task.Yield();
        var input = _downstream.Input;
        var token = _stop.Token;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return RelayEnd.Stopped;
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                {
                    // A reset by the caller (ConnectionResetException) or an aborted connection.
                    return RelayEnd.DownstreamFailed;
                }

                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    // Activity is counted when bytes arrive, before they are passed on: once the peer
                    // can see them, the idle clock has already restarted (a timer firing between the
                    // write and a later touch would otherwise read a stale last activity).
                    Touch();
                }

                try
                {
                    await WriteUpstreamAsync(buffer, token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    input.AdvanceTo(buffer.End);
                    return RelayEnd.Stopped;
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
                {
                    input.AdvanceTo(buffer.End);
                    return RelayEnd.UpstreamFailed;
                }

                if (!buffer.IsEmpty)
                {
                    _session.AddReceived(buffer.Length);
                }

                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    try
                    {
                        await _upstream.ShutdownSendAsync();
                        return RelayEnd.Finished;
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
                    {
                        return RelayEnd.UpstreamFailed;
                    }
                }
            }
        }
        finally
        {
            if (_gather is not null)
            {
                ArrayPool<byte>.Shared.Return(_gather);
                _gather = null;
            }
        }
    }

    /// <summary>
    /// Writes the pipe's bytes in as few writes as possible: Kestrel's pipe segments are 4 KiB and
    /// each write to the upstream is a system call (or a TLS record), so segments are gathered.
    /// </summary>
    private async ValueTask WriteUpstreamAsync(ReadOnlySequence<byte> buffer, CancellationToken token)
    {
        if (buffer.IsSingleSegment)
        {
            if (!buffer.IsEmpty)
            {
                await _upstream.Stream.WriteAsync(buffer.First, token);
            }

            return;
        }

        _gather ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        while (!buffer.IsEmpty)
        {
            var length = (int)Math.Min(_gather.Length, buffer.Length);
            buffer.Slice(0, length).CopyTo(_gather);
            await _upstream.Stream.WriteAsync(_gather.AsMemory(0, length), token);
            buffer = buffer.Slice(length);
        }
    }

    private async Task<RelayEnd> UpstreamToDownstreamAsync()
    {
        await Task.Yield();
        var token = _stop.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await _upstream.Stream.ReadAsync(buffer, token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return RelayEnd.Stopped;
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
                {
                    return RelayEnd.UpstreamFailed;
                }

                try
                {
                    if (read == 0)
                    {
                        await _downstream.ShutdownSendAsync();
                        return RelayEnd.Finished;
                    }

                    Touch();
                    await _downstream.WriteAsync(buffer.AsMemory(0, read), token);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return RelayEnd.Stopped;
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
                {
                    return RelayEnd.DownstreamFailed;
                }

                _session.AddSent(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
