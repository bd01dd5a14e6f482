using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>
/// Keeps the discovery stream to the control plane open: Hello with the node identity (and, on
/// the incremental stream, what it holds), then apply each pushed delta or snapshot and answer
/// ACK/NACK. Reconnects with exponential back-off and
/// jitter; the last applied snapshot keeps serving while the control plane is away.
/// </summary>
internal sealed partial class ControlPlaneClient : BackgroundService
{
    /// <summary>The discovery stream's HTTP/2 receive window at the start (also cp-sim's, bench/).</summary>
    internal const int DiscoveryStreamWindowBytes = 1024 * 1024;

    private readonly MeshProxyOptions _options;
    private readonly NodeIdentityFactory _nodeFactory;
    private readonly SnapshotApplier _applier;
    private readonly SnapshotState _status;
    private readonly ListenerStatusState _listenerStatus;
    private readonly AppHealthState _appHealth;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // What the proxy holds on the incremental stream; kept across reconnects (its Hello says it).
    private readonly SnapshotDeltaAssembler _assembler = new();
    private bool _fullSnapshotsOnly;

    public ControlPlaneClient(
        IOptions<MeshProxyOptions> options,
        NodeIdentityFactory nodeFactory,
        SnapshotApplier applier,
        SnapshotState status,
        ListenerStatusState listenerStatus,
        AppHealthState appHealth,
        IHostApplicationLifetime lifetime,
        TimeProvider time,
        ILogger<ControlPlaneClient> logger)
    {
        _options = options.Value;
        _nodeFactory = nodeFactory;
        _applier = applier;
        _status = status;
        _listenerStatus = listenerStatus;
        _appHealth = appHealth;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The Hello carries the bound listener ports, known only once the server has started.
        if (!await WaitForServerStartedAsync(stoppingToken))
        {
            return;
        }

        var node = _nodeFactory.Create();
        using var channel = GrpcChannel.ForAddress(_options.ControlPlane.Address, new GrpcChannelOptions
        {
            HttpHandler = ControlPlaneTls.Configure(new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(15),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
                // The first snapshot is the complete state (849 KB at 5,000 proxies / 250 services).
                // With HTTP/2's 64 KB default stream window the control plane sends it in ~100 window-sized
                // pieces, each waiting for this proxy's WINDOW_UPDATE, and holds one of its push slots
                // all the while; 1 MB lets it go in a few flights (this one stream buffers at most that).
                // 4 MB was tried: with 100 simulated proxies per connection (bench/run controlplane) the
                // 10,000-proxy storm then starved HTTP/2 keep-alive pings and 400 streams failed.
                InitialHttp2StreamWindowSize = DiscoveryStreamWindowBytes,
            }, _options.ControlPlane),
            DisposeHttpClient = true,
            // A large mesh's snapshot (every endpoint of every visible service) can exceed gRPC's
            // 4 MB default; the control plane is trusted, so allow what it sends.
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        var client = new MeshDiscovery.MeshDiscoveryClient(channel);
        var failures = 0;
        Log.Connecting(_logger, _options.ControlPlane.Address, node.Id);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunStreamAsync(client, node, stoppingToken))
                {
                    failures = 0;
                }

                Log.StreamEnded(_logger, _options.ControlPlane.Address);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (failures == 0)
                {
                    Log.StreamFailed(_logger, _options.ControlPlane.Address, ex.Message);
                }
            }
            finally
            {
                _status.SetConnected(false);
            }

            failures++;
            try
            {
                await Task.Delay(ReconnectBackoff.Next(failures, Random.Shared), _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Runs one stream until it ends; returns whether it delivered at least one snapshot. The
    /// incremental stream (StreamDeltas) unless the control plane does not have it (an older
    /// one answers Unimplemented): then full snapshots (StreamSnapshots) from then on.
    /// </summary>
    private async Task<bool> RunStreamAsync(MeshDiscovery.MeshDiscoveryClient client, Node node, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (await ReadTokenAsync(cancellationToken) is { Length: > 0 } token)
        {
            headers.Add("authorization", $"Bearer {token}");
        }

        if (!_fullSnapshotsOnly)
        {
            // A reconnecting proxy says what it holds: the control plane sends only what differs.
            var hello = new Hello { Node = node, Version = _assembler.Version, Resources = { _assembler.Resources() }, AcceptEncodings = { SnapshotDeltaCompression.Zlib } };
            using var deltas = client.StreamDeltas(headers, cancellationToken: cancellationToken);
            try
            {
                return await RunStreamAsync(deltas, hello, ApplyDeltaAsync, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsUnimplemented(ex, deltas))
            {
                Log.FullSnapshotsOnly(_logger, _options.ControlPlane.Address);
                _fullSnapshotsOnly = true;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && _assembler.Version.Length == 0)
            {
                // The first delta stream failed before anything arrived: try full snapshots at once
                // rather than back off (a control plane that is down fails this too, then backs off).
                Log.StreamFailed(_logger, _options.ControlPlane.Address, ex.Message);
            }
        }

        using var snapshots = client.StreamSnapshots(headers, cancellationToken: cancellationToken);
        return await RunStreamAsync(snapshots, new Hello { Node = node }, ApplySnapshotAsync, cancellationToken);
    }

    /// <summary>
    /// Whether the control plane does not have the incremental stream. It answers Unimplemented at
    /// once, so the proxy's first write (its Hello) can race the call's end and fail with a
    /// different exception: the call's own status decides then.
    /// </summary>
    private static bool IsUnimplemented(Exception ex, AsyncDuplexStreamingCall<ProxyMessage, SnapshotDelta> call)
    {
        if (ex is RpcException rpc)
        {
            return rpc.StatusCode == StatusCode.Unimplemented;
        }

        try
        {
            return call.GetStatus().StatusCode == StatusCode.Unimplemented;
        }
        catch (InvalidOperationException)
        {
            return false; // the call has not ended: not a refusal of the method
        }
    }

    private async Task<ProxyMessage> ApplySnapshotAsync(ProxySnapshot snapshot, CancellationToken cancellationToken)
    {
        var result = await _applier.ApplyAsync(snapshot, cancellationToken);
        return result.Accepted
            ? new ProxyMessage { Ack = new Ack { Version = result.Version } }
            : new ProxyMessage { Nack = new Nack { Version = result.Version, Error = result.Error } };
    }

    /// <summary>
    /// Assembles the complete snapshot a delta describes and applies it like a full snapshot; what
    /// the proxy holds moves on only if it was accepted. A delta that does not fit what the proxy
    /// holds is answered with a NACK asking for the complete state (resync).
    /// </summary>
    private async Task<ProxyMessage> ApplyDeltaAsync(SnapshotDelta delta, CancellationToken cancellationToken)
    {
        AssembledDelta assembled;
        try
        {
            assembled = _assembler.Apply(delta);
        }
        catch (InvalidDataException ex)
        {
            Log.DeltaDoesNotFit(_logger, delta.Version, ex.Message);
            return new ProxyMessage { Nack = new Nack { Version = delta.Version, Nonce = delta.Nonce, Error = ex.Message, Resync = true } };
        }

        var result = await _applier.ApplyAsync(assembled.Snapshot, cancellationToken);
        if (!result.Accepted)
        {
            return new ProxyMessage { Nack = new Nack { Version = result.Version, Nonce = delta.Nonce, Error = result.Error } };
        }

        _assembler.Commit(assembled);
        return new ProxyMessage { Ack = new Ack { Version = result.Version, Nonce = delta.Nonce } };
    }

    private async Task<bool> RunStreamAsync<T>(
        AsyncDuplexStreamingCall<ProxyMessage, T> call,
        Hello hello,
        Func<T, CancellationToken, Task<ProxyMessage>> apply,
        CancellationToken cancellationToken)
    {
        using var writes = new SemaphoreSlim(1, 1);
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await call.RequestStream.WriteAsync(new ProxyMessage { Hello = hello }, cancellationToken);
        var received = false;
        Task? reporting = null;
        // Right after Hello: an app known to be down must not be an endpoint for long.
        var health = ReportAppHealthAsync(call.RequestStream, writes, streamEnd.Token);
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
            {
                if (!received)
                {
                    received = true;
                    _status.SetConnected(true);
                    Log.Connected(_logger, _options.ControlPlane.Address);
                    reporting = ReportListenersAsync(call.RequestStream, writes, streamEnd.Token);
                }

                var answer = await apply(message, cancellationToken);
                await WriteAsync(call.RequestStream, writes, answer, cancellationToken);
            }
        }
        finally
        {
            await streamEnd.CancelAsync();
            if (reporting is not null)
            {
                await reporting;
            }

            await health;
        }

        await call.RequestStream.CompleteAsync();
        return received;
    }

    /// <summary>Sends the listeners that failed to bind whenever that set changes (and at once on a new stream when it is not empty).</summary>
    private async Task ReportListenersAsync(IClientStreamWriter<ProxyMessage> stream, SemaphoreSlim writes, CancellationToken cancellationToken)
    {
        long sent = 0;
        try
        {
            while (true)
            {
                await _listenerStatus.WaitForChangeAsync(sent, cancellationToken);
                sent = _listenerStatus.Version;
                var status = new ListenerStatus();
                foreach (var failure in _listenerStatus.Failures)
                {
                    var reported = new Contracts.Discovery.ListenerFailure { Port = (uint)failure.Port, Address = failure.Address, Error = failure.Error };
                    reported.GatewayServers.AddRange(failure.GatewayServers);
                    status.Failures.Add(reported);
                }

                await WriteAsync(stream, writes, new ProxyMessage { ListenerStatus = status }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The stream ended: the next stream reports the current state again.
        }
    }

    /// <summary>Sends the app's readiness whenever it changes (and at once on a new stream once it was checked).</summary>
    private async Task ReportAppHealthAsync(IClientStreamWriter<ProxyMessage> stream, SemaphoreSlim writes, CancellationToken cancellationToken)
    {
        long sent = 0;
        try
        {
            while (true)
            {
                await _appHealth.WaitForChangeAsync(sent, cancellationToken);
                sent = _appHealth.Version;
                var message = new WorkloadHealth { Ready = _appHealth.Ready, Reason = _appHealth.Reason };
                await WriteAsync(stream, writes, new ProxyMessage { WorkloadHealth = message }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException)
        {
            // The stream ended: the next stream reports the current state again.
        }
    }

    private static async Task WriteAsync(IClientStreamWriter<ProxyMessage> stream, SemaphoreSlim writes, ProxyMessage message, CancellationToken cancellationToken)
    {
        // gRPC allows one write at a time on a stream: answers and listener reports take turns.
        await writes.WaitAsync(cancellationToken);
        try
        {
            await stream.WriteAsync(message, cancellationToken);
        }
        finally
        {
            writes.Release();
        }
    }

    private async Task<string?> ReadTokenAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(_options.ControlPlane.Token) || string.IsNullOrEmpty(_options.ControlPlane.TokenFile))
        {
            return _options.ControlPlane.Token;
        }

        try
        {
            return (await File.ReadAllTextAsync(_options.ControlPlane.TokenFile, cancellationToken)).Trim();
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"cannot read the control plane token file {_options.ControlPlane.TokenFile}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidOperationException($"cannot read the control plane token file {_options.ControlPlane.TokenFile}: {ex.Message}", ex);
        }
    }

    private async Task<bool> WaitForServerStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Connecting to the control plane at {Address} as node {NodeId}.")]
        public static partial void Connecting(ILogger logger, string address, string nodeId);

        [LoggerMessage(2, LogLevel.Information, "Receiving snapshots from the control plane at {Address}.")]
        public static partial void Connected(ILogger logger, string address);

        [LoggerMessage(3, LogLevel.Warning, "Control plane stream to {Address} failed: {Reason}. Serving the last applied snapshot; reconnecting with back-off.")]
        public static partial void StreamFailed(ILogger logger, string address, string reason);

        [LoggerMessage(4, LogLevel.Information, "Control plane stream to {Address} ended; reconnecting.")]
        public static partial void StreamEnded(ILogger logger, string address);

        [LoggerMessage(5, LogLevel.Information, "The control plane at {Address} has no incremental discovery stream: receiving full snapshots.")]
        public static partial void FullSnapshotsOnly(ILogger logger, string address);

        [LoggerMessage(6, LogLevel.Warning, "Snapshot delta {Version} does not fit what the proxy holds ({Reason}); asking the control plane for the complete state.")]
        public static partial void DeltaDoesNotFit(ILogger logger, string version, string reason);
    }
}
