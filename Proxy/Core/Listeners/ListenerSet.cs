using System.Net;
using Mesh.Proxy.Core.Configuration;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>All listeners of this proxy, derived once from <see cref="MeshProxyOptions"/>.</summary>
public sealed class ListenerSet
{
    private ListenerSet(IReadOnlyList<MeshListener> all, IReadOnlyList<UnservedListener> unserved)
    {
        All = all;
        Unserved = unserved;
        Admin = all.Single(l => l.Kind == ListenerKind.Admin);
    }

    /// <summary>A configured listener the proxy cannot serve yet, and why.</summary>
    public sealed record UnservedListener(string Name, int Port, string Reason);

    public IReadOnlyList<MeshListener> All { get; }

    /// <summary>Configured listeners that are not bound, and why (none at the moment; kept for listener kinds to come).</summary>
    public IReadOnlyList<UnservedListener> Unserved { get; }

    public MeshListener Admin { get; }

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
        return new ListenerSet(list, unserved);
    }

    /// <summary>Istio's name for the cluster that forwards a service port to the local app.</summary>
    public static string InboundClusterNameFor(int servicePort) => $"inbound|{servicePort}||";
}
