using System.Net;
using Mesh.Proxy.Core.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// One Kestrel listener of the proxy and what it is for. Each accepted connection carries its
/// listener as a connection feature, so a request finds its listener without a lookup.
/// </summary>
public sealed class MeshListener
{
    private ListenOptions? _listenOptions;
    private ConnectionDelegate? _pipeline;

    internal MeshListener(int index, ListenerKind kind, string name, IPAddress bindAddress, int configuredPort, ListenerProtocol protocol)
    {
        Index = index;
        Kind = kind;
        Name = name;
        BindAddress = bindAddress;
        ConfiguredPort = configuredPort;
        Protocol = protocol;
    }

    /// <summary>Position in <see cref="ListenerSet"/>; indexes the per-listener tables of the routing model.</summary>
    public int Index { get; }

    public ListenerKind Kind { get; }

    public string Name { get; }

    public IPAddress BindAddress { get; }

    /// <summary>The port from configuration (0 = any free port).</summary>
    public int ConfiguredPort { get; }

    /// <summary>The port Kestrel actually bound (differs from <see cref="ConfiguredPort"/> when that is 0).</summary>
    public int BoundPort => _listenOptions?.IPEndPoint?.Port is int port && port != 0 ? port : ConfiguredPort;

    public ListenerProtocol Protocol { get; }

    /// <summary>TCP and TLS listeners: every connection is forwarded at L4, none is HTTP.</summary>
    public bool IsNetwork => Protocol is ListenerProtocol.TCP or ListenerProtocol.TLS;

    /// <summary>Gateway: opened for a Gateway server port while the proxy runs (not from configuration).</summary>
    public bool IsLive { get; init; }

    /// <summary>Inbound: the service port name and number, and the app port it forwards to.</summary>
    public string? ServicePortName { get; init; }

    public int ServicePort { get; init; }

    public int TargetPort { get; init; }

    /// <summary>Inbound: the cluster that forwards to the local app ("inbound|&lt;port&gt;||").</summary>
    public string? InboundClusterName { get; init; }

    /// <summary>Outbound: the upstream service host and port (0 = its only port) this listener is bound to.</summary>
    public string? UpstreamHost { get; init; }

    public int UpstreamPort { get; init; }

    /// <summary>Gateway: the Gateway server port numbers served here, in precedence order.</summary>
    public IReadOnlyList<int> GatewayPorts { get; init; } = [];

    /// <summary>
    /// Capture: a listener that serves connections the outbound capture listener hands over (by
    /// their original destination's protocol), never connections of its own.
    /// </summary>
    internal bool CaptureSibling { get; init; }

    /// <summary>
    /// Capture: the IPv6 address this listener is also bound on (the same port, IPv6 only), where the
    /// ip6tables rules redirect; null when it listens on <see cref="BindAddress"/> alone.
    /// </summary>
    internal IPAddress? IPv6BindAddress { get; init; }

    internal void Attach(ListenOptions listenOptions) => _listenOptions = listenOptions;

    /// <summary>
    /// This listener's connection stages, for a connection accepted by a capture listener (see
    /// CaptureDispatch). Built on first use, after Kestrel bound the listener (and added its HTTP server).
    /// </summary>
    internal ConnectionDelegate Pipeline =>
        _pipeline ?? Interlocked.CompareExchange(ref _pipeline, (_listenOptions ?? throw new InvalidOperationException($"{Name} is not bound")).Build(), null) ?? _pipeline!;

    public override string ToString() => $"{Name} ({BindAddress}:{BoundPort})";
}
