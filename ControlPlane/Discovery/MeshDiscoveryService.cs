using Grpc.Core;
using Mesh.Contracts.Discovery;
using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Security;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Discovery;

/// <summary>
/// The discovery streams (full snapshots or deltas): Hello first (else InvalidArgument), register
/// the workload, push its snapshot, then read ACK/NACKs until the proxy goes away or the control plane shuts down
/// (then the stream completes normally so the proxy reconnects elsewhere). Bound to the contract's
/// method by <see cref="DiscoveryMethods"/>.
/// </summary>
internal sealed partial class MeshDiscoveryService
{
    private readonly WorkloadRegistry _registry;
    private readonly ConnectedProxies _proxies;
    private readonly PushScheduler _scheduler;
    private readonly IProxyAuthenticator _authenticator;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly DiscoveryDrain _drain;
    private readonly ControlPlaneOptions _options;
    private readonly ProxyConnectionOptions _connectionOptions;
    private readonly IDiscoveryObserver _observer;
    private readonly SnapshotDeltaPlans _plans;
    private readonly WorkloadEntryAutoRegistration _autoRegistration;
    private readonly ILogger<MeshDiscoveryService> _logger;

    public MeshDiscoveryService(
        WorkloadRegistry registry,
        ConnectedProxies proxies,
        PushScheduler scheduler,
        IProxyAuthenticator authenticator,
        IHostApplicationLifetime lifetime,
        DiscoveryDrain drain,
        PushThrottle throttle,
        SnapshotDeltaPlans plans,
        IOptions<ControlPlaneOptions> options,
        TimeProvider time,
        IDiscoveryObserver observer,
        WorkloadEntryAutoRegistration autoRegistration,
        ILogger<MeshDiscoveryService> logger)
    {
        _registry = registry;
        _proxies = proxies;
        _scheduler = scheduler;
        _authenticator = authenticator;
        _lifetime = lifetime;
        _drain = drain;
        _options = options.Value;
        _connectionOptions = new ProxyConnectionOptions(_options.AckTimeout, time, throttle);
        _observer = observer;
        _plans = plans;
        _autoRegistration = autoRegistration;
        _logger = logger;
    }

    /// <summary>The full-state stream: every change sends the proxy's whole snapshot.</summary>
    public Task StreamSnapshots(
        IAsyncStreamReader<ProxyMessage> requestStream,
        IServerStreamWriter<SnapshotPayload> responseStream,
        ServerCallContext context) =>
        RunStreamAsync(requestStream, context, (connection, _, token) =>
            connection.RunWriterAsync(new ObservedWriter<SnapshotPayload>(responseStream, _observer, ModeLabel(connection.Node)), token));

    /// <summary>
    /// The incremental stream: deltas from what the proxy holds (what its Hello says, then what it
    /// acknowledged), one unanswered at a time.
    /// </summary>
    public Task StreamDeltas(
        IAsyncStreamReader<ProxyMessage> requestStream,
        IServerStreamWriter<DeltaPayload> responseStream,
        ServerCallContext context) =>
        RunStreamAsync(requestStream, context, (connection, hello, token) =>
        {
            connection.EnableDeltas(ResourceView.FromHello(hello), _plans, hello.AcceptEncodings.Contains(SnapshotDeltaCompression.Zlib));
            return connection.RunDeltaWriterAsync(new ObservedWriter<DeltaPayload>(responseStream, _observer, ModeLabel(connection.Node)), token);
        });

    private async Task RunStreamAsync(
        IAsyncStreamReader<ProxyMessage> requestStream,
        ServerCallContext context,
        Func<ProxyConnection, Hello, CancellationToken, Task> runWriter)
    {
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _lifetime.ApplicationStopping, _drain.StreamsEnding);
        var token = streamEnd.Token;

        var hello = await ReadHelloAsync(requestStream, token);
        if (hello is null)
        {
            return;
        }

        var node = hello.Node;

        var authentication = await _authenticator.AuthenticateAsync(context, node, token);
        if (!authentication.Succeeded)
        {
            LogRejected(_logger, node.Id, authentication.FailureReason ?? "not authenticated");
            throw new RpcException(new Status(authentication.FailureCode, authentication.FailureReason ?? "not authenticated"));
        }

        if (!string.IsNullOrEmpty(node.WorkloadGroup) && string.IsNullOrEmpty(node.Address))
        {
            // A VM's proxy that does not say where it is reached: where its stream comes from (Istio
            // registers the proxy's IP).
            node.Address = PeerAddress(context.Peer);
        }

        var entry = await _autoRegistration.RegisterAsync(node, token);
        var http = context.GetHttpContext();
        var connection = new ProxyConnection(node, _connectionOptions, reason =>
        {
            LogClosingSlowProxy(_logger, node.Id, reason);
            http.Abort();
        });

        _proxies.Add(connection)?.MarkClosed();
        var registration = _registry.Register(node);
        LogConnected(_logger, node.Id, node.Workload, node.Namespace, node.Mode);
        try
        {
            var writer = runWriter(connection, hello, token);
            _scheduler.PushInitial(connection);
            var reader = ReadResponsesAsync(requestStream, connection, registration, token);

            // Either half ending ends the stream: the proxy closed its side, the connection broke,
            // a newer stream of the same proxy replaced this one, or the control plane is stopping.
            var first = await Task.WhenAny(writer, reader);
            await streamEnd.CancelAsync();
            await Ignoring(first == writer ? reader : writer);
            if (first.Exception?.InnerException is RpcException protocolError)
            {
                throw protocolError;
            }
        }
        finally
        {
            connection.MarkClosed();
            _proxies.Remove(connection);
            _registry.Remove(registration);
            if (entry is not null)
            {
                _autoRegistration.Disconnected(entry);
            }

            LogDisconnected(_logger, node.Id);
        }
    }

    private async Task<Hello?> ReadHelloAsync(IAsyncStreamReader<ProxyMessage> requestStream, CancellationToken token)
    {
        if (!await requestStream.MoveNext(token))
        {
            return null;
        }

        var message = requestStream.Current;
        if (message.KindCase != ProxyMessage.KindOneofCase.Hello)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"the first message of the stream must be a Hello with the proxy's node, got {message.KindCase}"));
        }

        var node = message.Hello.Node;
        if (node is null || string.IsNullOrWhiteSpace(node.Id))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "hello.node.id is required"));
        }

        if (!Enum.IsDefined(node.Mode))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"hello.node.mode: unknown mode {(int)node.Mode}"));
        }

        node = node.Clone();
        if (node.Mode == ProxyMode.Unspecified)
        {
            node.Mode = ProxyMode.Sidecar;
        }

        if (string.IsNullOrEmpty(node.Namespace))
        {
            node.Namespace = _options.DefaultNamespace;
        }

        if (string.IsNullOrEmpty(node.Workload))
        {
            node.Workload = node.Id;
        }

        return new Hello { Node = node, Version = message.Hello.Version, Resources = { message.Hello.Resources }, AcceptEncodings = { message.Hello.AcceptEncodings } };
    }

    private async Task ReadResponsesAsync(IAsyncStreamReader<ProxyMessage> requestStream, ProxyConnection connection, WorkloadRegistration registration, CancellationToken token)
    {
        while (await requestStream.MoveNext(token))
        {
            var message = requestStream.Current;
            switch (message.KindCase)
            {
                case ProxyMessage.KindOneofCase.Ack:
                    connection.OnAck(message.Ack.Version, message.Ack.Nonce);
                    _observer.ProxyAcked(connection, message.Ack.Version);
                    break;
                case ProxyMessage.KindOneofCase.Nack:
                    LogNack(_logger, connection.Id, message.Nack.Version, message.Nack.Error);
                    connection.OnNack(message.Nack.Version, message.Nack.Error, message.Nack.Nonce, message.Nack.Resync);
                    _observer.ProxyNacked(ModeLabel(connection.Node));
                    break;
                case ProxyMessage.KindOneofCase.ListenerStatus:
                    var failures = message.ListenerStatus.Failures
                        .Select(f => new ListenerFailureModel(f.Port, f.Address, f.Error, [.. f.GatewayServers]))
                        .ToList();
                    foreach (var failure in failures)
                    {
                        LogListenerFailure(_logger, connection.Id, failure.Address, failure.Error, string.Join(", ", failure.GatewayServers));
                    }

                    connection.OnListenerStatus(failures);
                    break;
                case ProxyMessage.KindOneofCase.WorkloadHealth:
                    if (_registry.SetReady(registration, message.WorkloadHealth.Ready))
                    {
                        LogWorkloadHealth(_logger, connection.Id, message.WorkloadHealth.Ready ? "ready" : "not ready", message.WorkloadHealth.Reason);
                    }

                    break;
                default:
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"after Hello a proxy may only send Ack, Nack, ListenerStatus or WorkloadHealth, got {message.KindCase}"));
            }
        }
    }

    /// <summary>The IP of a gRPC peer (<c>ipv4:10.0.0.7:51234</c>, <c>ipv6:[fd00::7]:51234</c>); empty when it is not an IP.</summary>
    internal static string PeerAddress(string? peer)
    {
        var colon = peer?.IndexOf(':') ?? -1;
        if (peer is null || colon < 0 || !peer.StartsWith("ip", StringComparison.Ordinal))
        {
            return "";
        }

        var endpoint = Uri.UnescapeDataString(peer[(colon + 1)..]);
        return System.Net.IPEndPoint.TryParse(endpoint, out var parsed) ? parsed.Address.ToString() : "";
    }

    private static string ModeLabel(Node node) => node.Mode == ProxyMode.Gateway ? "gateway" : "sidecar";

    private static async Task Ignoring(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            // The other half ending (cancelled, or its write failing) follows from the first half ending.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {ProxyId} connected: workload {Workload}.{Namespace} ({Mode})")]
    private static partial void LogConnected(ILogger logger, string proxyId, string workload, string @namespace, ProxyMode mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {ProxyId} cannot listen on {Address} for Gateway servers {Servers}: {Error}")]
    private static partial void LogListenerFailure(ILogger logger, string proxyId, string address, string error, string servers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {ProxyId} reports its app {State} {Reason}")]
    private static partial void LogWorkloadHealth(ILogger logger, string proxyId, string state, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Proxy {ProxyId} disconnected")]
    private static partial void LogDisconnected(ILogger logger, string proxyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Proxy {ProxyId} rejected snapshot {Version}: {Error}")]
    private static partial void LogNack(ILogger logger, string proxyId, string version, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the stream of proxy {ProxyId}: {Reason}")]
    private static partial void LogClosingSlowProxy(ILogger logger, string proxyId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused the discovery stream of proxy {ProxyId}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string proxyId, string reason);
}
