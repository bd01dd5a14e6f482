using System.Reflection;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Translation;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Core.Discovery;

/// <summary>Builds the <see cref="Node"/> sent in Hello from the options and the ports Kestrel actually bound.</summary>
internal sealed class NodeIdentityFactory
{
    private static readonly string ProxyVersion =
        typeof(NodeIdentityFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private readonly MeshProxyOptions _options;
    private readonly ListenerSet _listeners;

    public NodeIdentityFactory(IOptions<MeshProxyOptions> options, ListenerSet listeners)
    {
        _options = options.Value;
        _listeners = listeners;
    }

    /// <summary>Call after the server started: inbound and outbound ports are the bound ones.</summary>
    public Node Create()
    {
        var node = new Node
        {
            Id = string.IsNullOrWhiteSpace(_options.Node.Id) ? $"{_options.Node.Workload}-{Environment.ProcessId}" : _options.Node.Id,
            Workload = _options.Node.Workload ?? string.Empty,
            Namespace = _options.Node.Namespace,
            ServiceAccount = _options.Node.ServiceAccount,
            Mode = _options.Mode == MeshProxyMode.Gateway ? ProxyMode.Gateway : ProxyMode.Sidecar,
            ProxyVersion = ProxyVersion,
            Address = _options.Node.Address,
            AdminPort = (uint)_listeners.Admin.BoundPort,
            TransparentCapture = _options.Capture.Enabled || _options.Dns.Enabled,
            WorkloadGroup = _options.Node.WorkloadGroup ?? string.Empty,
        };
        node.Labels.Add(_options.Node.Labels);
        if (!string.IsNullOrWhiteSpace(_options.Node.Network))
        {
            node.Labels["topology.istio.io/network"] = _options.Node.Network;
        }
        if (_options.Mode == MeshProxyMode.Gateway && !node.Labels.ContainsKey("istio"))
        {
            // What Istio's Gateway selectors (istio: ingressgateway) match by default.
            node.Labels["istio"] = "ingressgateway";
        }

        var inbound = _listeners.OfKind(ListenerKind.Inbound).ToList();
        if (!string.IsNullOrWhiteSpace(_options.Service) && inbound.Count > 0)
        {
            var membership = new ServiceMembership { Name = _options.Service };
            foreach (var listener in inbound)
            {
                membership.Ports.Add(new ServicePort
                {
                    Name = listener.ServicePortName ?? string.Empty,
                    Port = (uint)listener.ServicePort,
                    Protocol = SnapshotTranslator.ProtocolOf(listener.Protocol),
                    // With inbound capture, callers dial the app's own port (captured to the inbound capture listener).
                    InboundPort = (uint)(_listeners.InboundCapture is null ? listener.BoundPort : listener.TargetPort),
                    TargetPort = (uint)listener.TargetPort,
                });
            }

            node.Services.Add(membership);
        }

        // A gateway says where it serves each Gateway port, so the control plane can find a
        // network's east-west gateway (port 15443) among the registered gateways.
        foreach (var listener in _listeners.OfKind(ListenerKind.Gateway).Where(l => l.GatewayPorts.Count > 0))
        {
            node.GatewayListeners.Add(new ServicePort
            {
                Port = (uint)listener.GatewayPorts[0],
                InboundPort = (uint)listener.BoundPort,
                Protocol = SnapshotTranslator.ProtocolOf(listener.Protocol),
            });
        }

        foreach (var listener in _listeners.OfKind(ListenerKind.Outbound))
        {
            node.Outbound.Add(new OutboundBinding
            {
                Host = listener.UpstreamHost ?? string.Empty,
                Port = (uint)listener.UpstreamPort,
                LocalPort = (uint)listener.BoundPort,
                Protocol = SnapshotTranslator.ProtocolOf(listener.Protocol),
            });
        }

        return node;
    }
}
