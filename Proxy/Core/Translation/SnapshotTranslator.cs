using System.Collections.Frozen;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Security;
using Mesh.Proxy.Traffic;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Pure translation of a <see cref="ProxySnapshot"/> into the proxy's runtime form: a
/// <see cref="RoutingModel"/> (compiled matchers, domain tables, weighted-pick tables) and the
/// YARP clusters it forwards through. Any problem rejects the whole snapshot with every error.
/// </summary>
public sealed class SnapshotTranslator
{
    private readonly ListenerSet _listeners;
    private readonly MeshProxyOptions _options;
    private readonly IReadOnlyList<IRouteFilterFactory> _filterFactories;
    private readonly TrafficRuntime _traffic;
    private readonly TelemetryTranslator _telemetry;

    public SnapshotTranslator(
        ListenerSet listeners,
        IOptions<MeshProxyOptions> options,
        IEnumerable<IRouteFilterFactory> filterFactories,
        TrafficRuntime? traffic = null,
        TelemetryTranslator? telemetry = null)
    {
        _listeners = listeners;
        _options = options.Value;
        _filterFactories = [.. filterFactories];
        _traffic = traffic ?? TrafficRuntime.Standalone();
        _telemetry = telemetry ?? new TelemetryTranslator(options, listeners, new Telemetry.Stats.EdgeStatsRegistry());
    }

    public TranslationResult Translate(ProxySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var errors = new TranslationErrors();
        if (string.IsNullOrEmpty(snapshot.Version))
        {
            errors.Add("version", "must not be empty");
        }

        UnsupportedFeatureCheck.Check(snapshot, errors);
        var gateway = GatewayServerTranslator.Translate(snapshot, errors);
        var telemetry = _telemetry.Translate(snapshot, errors);
        var (clusters, yarpClusters) = TranslateClusters(snapshot, errors);
        var routeTranslator = new RouteTranslator(clusters, _filterFactories, _traffic);
        var virtualHosts = new List<ListenerRoutesBuilder.ParsedVirtualHost>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < snapshot.VirtualHosts.Count; i++)
        {
            var vh = snapshot.VirtualHosts[i];
            var path = $"virtual_hosts[{i}] ({vh.Name})";
            if (!names.Add(vh.Name))
            {
                errors.Add(path, $"virtual host name '{vh.Name}' is used twice");
            }

            if (vh.Port is 0 or > 65535)
            {
                errors.Add($"{path}.port", $"must be 1-65535 (got {vh.Port})");
                continue;
            }

            var domains = new List<DomainName>();
            foreach (var text in vh.Domains)
            {
                if (DomainName.TryParse(text, out var domain, out var error))
                {
                    domains.Add(domain);
                }
                else
                {
                    errors.Add($"{path}.domains", error!);
                }
            }

            var routes = new List<HttpRouteModel>();
            for (var j = 0; j < vh.Routes.Count; j++)
            {
                var routeName = string.IsNullOrEmpty(vh.Routes[j].Name) ? string.Empty : $" ({vh.Routes[j].Name})";
                if (routeTranslator.Translate(vh.Routes[j], $"{path}.routes[{j}]{routeName}", errors) is { } route)
                {
                    routes.Add(route);
                }
            }

            var model = new VirtualHostModel(vh.Name, (int)vh.Port, [.. vh.Domains], [.. routes])
            {
                GatewayServer = string.IsNullOrEmpty(vh.GatewayServer) ? null : vh.GatewayServer,
                RequireTls = gateway.Find(vh.GatewayServer) is { HttpsRedirect: true },
            };
            virtualHosts.Add(new ListenerRoutesBuilder.ParsedVirtualHost(i, model, domains));
        }

        var listenerRoutes = _options.Mode == MeshProxyMode.Gateway
            ? GatewayRoutesBuilder.Build(_listeners, virtualHosts, gateway, errors)
            : ListenerRoutesBuilder.Build(_listeners, virtualHosts, clusters, _options.Mode, errors);
        var inboundSecurity = InboundSecurityTranslator.Translate(snapshot, _listeners, errors);
        if (errors.Count > 0)
        {
            return TranslationResult.Failure(errors);
        }

        // Live traffic state (circuit breaker counts, ejections) of clusters that are gone is dropped.
        _traffic.State.RetainOnly(clusters.Keys.ToHashSet(StringComparer.Ordinal));
        var routingModel = new RoutingModel(snapshot, listenerRoutes, clusters.ToFrozenDictionary(StringComparer.Ordinal), [.. virtualHosts.Select(v => v.Model)])
        {
            RegistryOnly = snapshot.OutboundTrafficPolicy?.Mode == OutboundTrafficPolicy.Types.Mode.RegistryOnly,
            Telemetry = telemetry,
            InboundSecurity = inboundSecurity,
            Gateway = gateway,
        };
        return TranslationResult.Success(routingModel, yarpClusters);
    }

    private (Dictionary<string, UpstreamCluster>, List<ClusterConfig>) TranslateClusters(ProxySnapshot snapshot, TranslationErrors errors)
    {
        var clusters = new Dictionary<string, UpstreamCluster>(StringComparer.Ordinal);
        var yarp = new List<ClusterConfig>();
        for (var i = 0; i < snapshot.Clusters.Count; i++)
        {
            var cluster = snapshot.Clusters[i];
            var path = $"clusters[{i}] ({cluster.Name})";
            if (string.IsNullOrWhiteSpace(cluster.Name))
            {
                errors.Add($"clusters[{i}].name", "must not be empty");
                continue;
            }

            if (cluster.Name.StartsWith("mesh|", StringComparison.Ordinal) || cluster.Name.StartsWith("inbound|", StringComparison.Ordinal))
            {
                errors.Add($"{path}.name", "names starting with 'mesh|' or 'inbound|' are reserved for the proxy's own clusters");
                continue;
            }

            if (clusters.ContainsKey(cluster.Name))
            {
                errors.Add($"{path}.name", "cluster name is used twice");
                continue;
            }

            if (ClusterTranslator.Translate(cluster, path, errors, _traffic.State, meshHasCa: snapshot.TrustBundlePem.Count > 0) is { } translated)
            {
                clusters[cluster.Name] = translated.Cluster;
                if (translated.Yarp is not null)
                {
                    yarp.Add(translated.Yarp);
                }
            }
        }

        foreach (var listener in _listeners.OfKind(ListenerKind.Inbound))
        {
            var (upstream, config) = ClusterTranslator.Inbound(listener.InboundClusterName!, _options.AppAddress, listener.TargetPort, ProtocolOf(listener.Protocol));
            clusters[upstream.Name] = upstream;
            yarp.Add(config);
        }

        return (clusters, yarp);
    }

    public static Protocol ProtocolOf(ListenerProtocol protocol) => protocol switch
    {
        ListenerProtocol.HTTP2 => Protocol.Http2,
        ListenerProtocol.GRPC => Protocol.Grpc,
        ListenerProtocol.HTTPS => Protocol.Https,
        _ => Protocol.Http,
    };
}
