using System.Net;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Network;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.L4.Model;
using Mesh.Proxy.L4.PeerMetadata;
using Mesh.Proxy.L4.Routing;
using Mesh.Proxy.L4.Upstream;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.L4.Proxying;

/// <summary>
/// <see cref="Core.Pipeline.ListenerStage.Network"/>: every connection served at L4 ends here
/// (Envoy's tcp_proxy and the network filters before it); other connections go on to HTTP. Per
/// connection: read what routing needs (the TCP peer metadata frame, a TLS binding's SNI), run the
/// network filters (authorization), pick the filter chain and cluster, take a connection slot
/// (maxConnections, else refused: UO), pick an endpoint (none: UH), dial it (failure: UF, the
/// caller is reset), then relay (<see cref="TcpRelay"/>) and tell the observers.
/// </summary>
internal sealed partial class TcpProxyStage : IListenerConfigurator
{
    private static readonly TimeSpan FirstBytesTimeout = TimeSpan.FromSeconds(10);

    private readonly RoutingState _routing;
    private readonly NetworkStages _stages;
    private readonly UpstreamConnector _connector;
    private readonly L4OutlierDetector _outlier;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;

    public TcpProxyStage(
        RoutingState routing,
        NetworkStages stages,
        UpstreamConnector connector,
        L4OutlierDetector outlier,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<TcpProxyStage> logger)
    {
        _routing = routing;
        _stages = stages;
        _connector = connector;
        _outlier = outlier;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    public void Configure(MeshListener listener, ListenOptions options)
    {
        if (listener.Kind == ListenerKind.Admin)
        {
            return;
        }

        options.Use(next => connection => ConnectionServerFeature.IsNetworkConnection(listener, connection.Features)
            ? ProxyAsync(connection, listener)
            : next(connection));
    }

    private async Task ProxyAsync(ConnectionContext connection, MeshListener listener)
    {
        var model = _routing.Current;
        var session = new TcpProxySession(connection, listener, model, _time.GetUtcNow(), _time.GetTimestamp());
        var server = connection.Features.Get<ConnectionServerFeature>();
        session.GatewayServer = server?.Server;
        session.Peer = connection.Features.Get<MeshPeerIdentityFeature>();
        session.RequestedServerName = server?.Sni ?? connection.Features.Get<NetworkTlsFeature>()?.ServerName;
        var downstream = new DownstreamConnection(connection);
        var stopping = _lifetime.ApplicationStopping;
        L4Cluster? slot = null;
        L4Endpoint? endpoint = null;
        UpstreamConnection? upstream = null;
        try
        {
            if (model?.FeatureModels.Get<L4Model>() is not { } l4)
            {
                Refuse(session, "no mesh configuration received yet", ResponseFlags.NoClusterFound);
                return;
            }

            var routing = SidecarRouting(l4, listener, connection);
            if (!await ReadPreludeAsync(connection, listener, routing, session, downstream, stopping))
            {
                return;
            }

            foreach (var filter in _stages.Filters)
            {
                if (!await filter.OnConnectionAsync(session, stopping))
                {
                    Refuse(session, session.CloseReason ?? "refused by a network filter", ResponseFlags.None);
                    return;
                }
            }

            var route = Route(l4, listener, routing, session, connection);
            if (route.Failure is { } failure)
            {
                Refuse(session, failure, ResponseFlags.NoRouteFound);
                return;
            }

            Describe(session, route);
            var cluster = route.Cluster;
            if (cluster is not null)
            {
                if (!cluster.State.TryOpen(cluster.Pool.MaxConnections))
                {
                    ReportOpened(session);
                    Refuse(session, $"cluster {cluster.Name} has {cluster.Pool.MaxConnections} connections open (maxConnections)", ResponseFlags.UpstreamOverflow);
                    return;
                }

                slot = cluster;
            }

            (upstream, endpoint) = await ConnectAsync(route, session, downstream, stopping);
            if (upstream is null)
            {
                return;
            }

            ReportOpened(session);
            var relay = new TcpRelay(downstream, upstream, session, _time);
            if (await relay.RunAsync(cluster?.Pool ?? L4PoolSettings.Default, stopping) is { } stopped)
            {
                session.CloseReason = stopped;
                Log.Stopped(_logger, Remote(connection), listener.Name, stopped);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            session.CloseReason = "the proxy is shutting down";
        }
        finally
        {
            endpoint?.State.Closed();
            slot?.State.Close();
            if (upstream is not null)
            {
                await upstream.DisposeAsync();
            }

            session.EndTimestamp = _time.GetTimestamp();
            Log.Ended(_logger, Remote(connection), listener.Name, session.ClusterName ?? "-", session.Flags, session.BytesReceived, session.BytesSent, session.CloseReason ?? "closed by the peers");
            foreach (var observer in _stages.Observers)
            {
                observer.OnClosed(session);
            }
        }
    }

    /// <summary>What must be read before routing: the caller's peer metadata frame, a TLS binding's ClientHello. False: the connection was refused.</summary>
    private async Task<bool> ReadPreludeAsync(ConnectionContext connection, MeshListener listener, L4ListenerRouting? routing, TcpProxySession session, DownstreamConnection downstream, CancellationToken stopping)
    {
        var exchange = listener.Kind == ListenerKind.Inbound
            && connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol is { Length: > 0 } alpn
            && alpn.Span.SequenceEqual("istio-peer-exchange"u8);
        var tlsBinding = (listener.Kind == ListenerKind.Outbound && listener.Protocol == ListenerProtocol.TLS)
            || (listener.Kind == ListenerKind.OutboundCapture && routing?.MatchBySni == true);
        if (!exchange && !tlsBinding)
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(FirstBytesTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        try
        {
            if (exchange)
            {
                session.PeerMetadata = await PeerMetadataPreamble.ReadAsync(downstream.Input, linked.Token);
                return true;
            }

            var inspection = await TlsDetector.InspectAsync(downstream.Input, readClientHello: true, linked.Token);
            if (inspection.Hello is not { } hello)
            {
                Refuse(session, inspection.Kind == FirstBytes.Closed ? "closed before its ClientHello" : "a TLS binding received no TLS ClientHello", ResponseFlags.NoRouteFound);
                return false;
            }

            session.RequestedServerName = hello.ServerName;
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            Refuse(session, $"sent nothing routable within {FirstBytesTimeout.TotalSeconds:0} s", ResponseFlags.NoRouteFound);
            return false;
        }
    }

    // A sidecar listener's L4 routing; a captured connection's is its original destination's (docs/capture.md).
    private static L4ListenerRouting? SidecarRouting(L4Model l4, MeshListener listener, ConnectionContext connection) =>
        l4.For(listener.Index) is { } routing && listener.Kind == ListenerKind.OutboundCapture
            ? connection.Features.Get<OriginalDestination>() is { } destination ? routing.ForDestination(destination.EndPoint) : null
            : l4.For(listener.Index);

    private static L4Route Route(L4Model l4, MeshListener listener, L4ListenerRouting? routing, TcpProxySession session, ConnectionContext connection)
    {
        var source = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (listener.Kind == ListenerKind.Gateway)
        {
            var server = connection.Features.Get<ConnectionServerFeature>();
            return server is null
                ? L4Route.Refused("no Gateway server selected the connection")
                : L4Router.RouteGateway(l4, server.Server, server.Passthrough, session.RequestedServerName, (connection.LocalEndPoint as IPEndPoint)?.Address, source, listener.GatewayPorts.FirstOrDefault(), Random.Shared);
        }

        return routing is not null
            ? L4Router.RouteSidecar(routing, session.RequestedServerName, source, Random.Shared)
            : L4Route.Refused("the listener has no L4 routes in the applied snapshot");
    }

    private static void Describe(TcpProxySession session, L4Route route)
    {
        session.FilterChain = route.Chain?.Name;
        session.VirtualService = route.Chain?.VirtualService;
        session.ClusterName = route.Cluster?.Name ?? "PassthroughCluster";
        session.Service = route.Cluster?.Service ?? route.PassthroughHost;
        session.ServicePort = route.Cluster?.Port is > 0 and var port ? port : route.PassthroughPort;
        session.External = route.Cluster?.External ?? route.PassthroughHost is not null;
    }

    private async Task<(UpstreamConnection? Upstream, L4Endpoint? Endpoint)> ConnectAsync(L4Route route, TcpProxySession session, DownstreamConnection downstream, CancellationToken stopping)
    {
        var cluster = route.Cluster;
        L4Endpoint? endpoint = null;
        string host;
        int port;
        if (route.PassthroughHost is { } passthroughHost)
        {
            (host, port) = (passthroughHost, route.PassthroughPort);
        }
        else
        {
            endpoint = L4EndpointPicker.Pick(cluster!, (session.Connection.RemoteEndPoint as IPEndPoint)?.Address, _time.GetTimestamp(), Random.Shared);
            if (endpoint is null)
            {
                ReportOpened(session);
                Fail(session, downstream, $"no healthy upstream in cluster {cluster!.Name}", ResponseFlags.NoHealthyUpstream);
                return (null, null);
            }

            (host, port) = (endpoint.Host, endpoint.Port);
            endpoint.State.Opened();
            session.UpstreamEndpoint = endpoint.Source;
        }

        try
        {
            var upstream = await _connector.ConnectAsync(host, port, cluster, endpoint, stopping, originateTls: route.Chain?.AutoPassthrough != true);
            session.UpstreamAddress = upstream.Address;
            session.UpstreamMtls = upstream.Tls is not null && cluster?.Tls.Mode == L4TlsMode.IstioMutual;
            if (cluster is not null && endpoint is not null)
            {
                _outlier.Succeeded(cluster, endpoint);
            }

            return (upstream, endpoint);
        }
        catch (UpstreamConnectException ex)
        {
            endpoint?.State.Closed();
            session.UpstreamAddress = $"{host}:{port}";
            if (cluster is not null)
            {
                cluster.State.ConnectFailed();
                if (endpoint is not null)
                {
                    _outlier.Failed(cluster, endpoint);
                }
            }

            ReportOpened(session);
            Fail(session, downstream, $"upstream {host}:{port} of {cluster?.Name ?? "PassthroughCluster"}: {ex.Reason}", ResponseFlags.UpstreamConnectionFailure);
            return (null, null);
        }
    }

    private void ReportOpened(TcpProxySession session)
    {
        foreach (var observer in _stages.Observers)
        {
            observer.OnOpened(session);
        }
    }

    /// <summary>Closes a connection the proxy will not serve: it ends at once, without bytes.</summary>
    private void Refuse(TcpProxySession session, string reason, ResponseFlags flags)
    {
        session.Flags |= flags;
        session.CloseReason = reason;
        Log.Refused(_logger, Remote(session.Connection), session.Listener.Name, reason);
        session.Connection.Abort(new ConnectionAbortedException(reason));
    }

    /// <summary>The upstream could not be reached: the caller is reset (not left waiting), as Envoy resets it.</summary>
    private void Fail(TcpProxySession session, DownstreamConnection downstream, string reason, ResponseFlags flags)
    {
        session.Flags |= flags;
        session.CloseReason = reason;
        Log.UpstreamFailed(_logger, Remote(session.Connection), session.Listener.Name, reason);
        downstream.Reset(reason);
    }

    private static string Remote(ConnectionContext connection) => connection.RemoteEndPoint?.ToString() ?? "-";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Closed connection from {Remote} on {Listener}: {Reason}.")]
        public static partial void Refused(ILogger logger, string remote, string listener, string reason);

        [LoggerMessage(2, LogLevel.Information, "Reset connection from {Remote} on {Listener}: {Reason}.")]
        public static partial void UpstreamFailed(ILogger logger, string remote, string listener, string reason);

        [LoggerMessage(3, LogLevel.Debug, "Closed connection from {Remote} on {Listener}: {Reason}.")]
        public static partial void Stopped(ILogger logger, string remote, string listener, string reason);

        [LoggerMessage(4, LogLevel.Debug, "Connection from {Remote} on {Listener} to {Cluster} ended (flags {Flags}, {Received} bytes received, {Sent} sent): {Reason}.")]
        public static partial void Ended(ILogger logger, string remote, string listener, string cluster, ResponseFlags flags, long received, long sent, string reason);
    }
}
