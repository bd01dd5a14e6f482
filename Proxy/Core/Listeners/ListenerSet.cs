using System.Net;
using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// All listeners of this proxy: those derived once from <see cref="MeshProxyOptions"/>, and the
/// gateway listeners opened live for Gateway server ports no configured listener serves
/// (<see cref="GetOrAddLive"/>; they are only ever added, so listener indexes stay valid).
/// </summary>
public sealed class ListenerSet
{
    private readonly object _gate = new();
    private readonly IPAddress _bindAddress;
    private volatile MeshListener[] _all;

    private ListenerSet(MeshListener[] all, IReadOnlyList<UnservedListener> unserved, IPAddress bindAddress)
    {
        _all = all;
        _bindAddress = bindAddress;
        Unserved = unserved;
        Admin = all.Single(l => l.Kind == ListenerKind.Admin);
        InboundCapture = all.SingleOrDefault(l => l.Kind == ListenerKind.InboundCapture);
        OutboundCapture = all.SingleOrDefault(l => l.Kind == ListenerKind.OutboundCapture && !l.CaptureSibling);
        OutboundCaptureHttp2 = all.SingleOrDefault(l => l.Kind == ListenerKind.OutboundCapture && l.CaptureSibling && l.Protocol == ListenerProtocol.HTTP2);
        OutboundCaptureTcp = all.SingleOrDefault(l => l.Kind == ListenerKind.OutboundCapture && l.CaptureSibling && l.Protocol == ListenerProtocol.TCP);
    }

    /// <summary>A configured listener the proxy cannot serve yet, and why.</summary>
    public sealed record UnservedListener(string Name, int Port, string Reason);

    public IReadOnlyList<MeshListener> All => _all;

    /// <summary>Configured listeners that are not bound, and why (none at the moment; kept for listener kinds to come).</summary>
    public IReadOnlyList<UnservedListener> Unserved { get; }

    public MeshListener Admin { get; }

    /// <summary>Capture (docs/capture.md): the inbound capture listener, null without capture.</summary>
    internal MeshListener? InboundCapture { get; }

    /// <summary>Capture: the outbound capture listener (HTTP/1.1 service ports are served on it).</summary>
    internal MeshListener? OutboundCapture { get; }

    /// <summary>Capture: where captured connections to HTTP2/gRPC service ports are served (loopback, any port).</summary>
    internal MeshListener? OutboundCaptureHttp2 { get; }

    /// <summary>Capture: where every other captured connection is served at L4 (loopback, any port).</summary>
    internal MeshListener? OutboundCaptureTcp { get; }

    public IEnumerable<MeshListener> OfKind(ListenerKind kind) => All.Where(l => l.Kind == kind);

    public static ListenerSet Create(MeshProxyOptions options)
    {
        var bind = IPAddress.Parse(options.BindAddress);
        var loopback = IPAddress.Loopback;
        var list = new List<MeshListener>();

        foreach (var inbound in options.Inbound)
        {
            list.Add(new MeshListener(list.Count, ListenerKind.Inbound, $"inbound|{inbound.Port}|{inbound.Name}", bind, inbound.ListenPort, inbound.Protocol)
            {
                ServicePortName = inbound.Name,
                ServicePort = inbound.Port,
                TargetPort = inbound.TargetPort,
                InboundClusterName = InboundClusterNameFor(inbound.Port),
            });
        }

        foreach (var outbound in options.Outbound)
        {
            var host = outbound.Host!.Trim().ToLowerInvariant();
            var name = outbound.Port == 0 ? $"outbound|{host}" : $"outbound|{host}:{outbound.Port}";
            list.Add(new MeshListener(list.Count, ListenerKind.Outbound, name, loopback, outbound.ListenPort, outbound.Protocol)
            {
                UpstreamHost = host,
                UpstreamPort = outbound.Port,
            });
        }

        if (options.HttpProxyPort is { } proxyPort)
        {
            list.Add(new MeshListener(list.Count, ListenerKind.HttpProxy, "http_proxy", loopback, proxyPort, ListenerProtocol.HTTP));
        }

        if (options.Capture.Enabled)
        {
            // The outbound rules redirect to 127.0.0.1; the inbound rules to the address the
            // connection arrived on, whichever it is.
            // The ip6tables rules redirect to [::1] and to the IPv6 address the connection arrived on.
            var ipv6 = options.Capture.IPv6 && IPv6Loopback.Available;
            list.Add(new MeshListener(list.Count, ListenerKind.OutboundCapture, "outbound_capture", loopback, options.Capture.OutboundPort, ListenerProtocol.HTTP)
            {
                IPv6BindAddress = ipv6 && options.Capture.OutboundPort != 0 ? IPAddress.IPv6Loopback : null,
            });
            list.Add(new MeshListener(list.Count, ListenerKind.OutboundCapture, "outbound_capture|h2c", loopback, 0, ListenerProtocol.HTTP2) { CaptureSibling = true });
            list.Add(new MeshListener(list.Count, ListenerKind.OutboundCapture, "outbound_capture|tcp", loopback, 0, ListenerProtocol.TCP) { CaptureSibling = true });
            list.Add(new MeshListener(list.Count, ListenerKind.InboundCapture, "inbound_capture", IPAddress.Any, options.Capture.InboundPort, ListenerProtocol.TCP)
            {
                IPv6BindAddress = ipv6 && options.Capture.InboundPort != 0 ? IPAddress.IPv6Any : null,
            });
        }

        var unserved = new List<UnservedListener>();
        foreach (var gateway in options.Gateway.Listeners)
        {
            // HTTPS listeners are bound like the others: the Gateway servers on their ports decide
            // per connection whether TLS is terminated (Proxy/Gateway).
            var ports = new List<int>();
            if (gateway.ServicePort > 0)
            {
                ports.Add(gateway.ServicePort);
            }

            if (gateway.Port > 0 && gateway.Port != gateway.ServicePort)
            {
                ports.Add(gateway.Port);
            }

            list.Add(new MeshListener(list.Count, ListenerKind.Gateway, $"gateway|{ports[0]}", bind, gateway.Port, gateway.Protocol)
            {
                GatewayPorts = ports,
            });
        }

        list.Add(new MeshListener(list.Count, ListenerKind.Admin, "admin", bind, options.AdminPort, ListenerProtocol.HTTP));
        return new ListenerSet([.. list], unserved, bind);
    }

    /// <summary>
    /// The live gateway listener for a Gateway server port (the same port number on the bind
    /// address, as Envoy opens a listener per Gateway port), created on first use; one per
    /// (port, protocol), so a port whose servers change from TCP to HTTP gets a new listener.
    /// </summary>
    public MeshListener GetOrAddLive(int port, ListenerProtocol protocol)
    {
        lock (_gate)
        {
            var all = _all;
            foreach (var listener in all)
            {
                if (listener.IsLive && listener.ConfiguredPort == port && listener.Protocol == protocol)
                {
                    return listener;
                }
            }

            var added = new MeshListener(all.Length, ListenerKind.Gateway, $"gateway|{port}|live", _bindAddress, port, protocol)
            {
                GatewayPorts = [port],
                IsLive = true,
            };
            _all = [.. all, added];
            return added;
        }
    }

    /// <summary>Istio's name for the cluster that forwards a service port to the local app.</summary>
    public static string InboundClusterNameFor(int servicePort) => $"inbound|{servicePort}||";
}
