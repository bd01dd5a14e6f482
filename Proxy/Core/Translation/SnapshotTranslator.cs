using System.Collections.Frozen;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace Mesh.Proxy.Core.Translation;

/// <summary>
/// Translation of a <see cref="ProxySnapshot"/> into the proxy's runtime form: a
/// <see cref="RoutingModel"/> (compiled matchers, domain tables, weighted-pick tables, and each
/// feature's models) and the YARP clusters it forwards through. Core translates what routing
/// needs; every registered feature translates its part through the hooks of
/// <see cref="FeatureTranslation"/>. Any problem rejects the whole snapshot with every error.
/// </summary>
internal sealed class SnapshotTranslator
{
    private readonly ListenerSet _listeners;
    private readonly MeshProxyOptions _options;
    private readonly IReadOnlyList<IRouteFilterFactory> _filterFactories;
    private readonly IReadOnlyList<IFeatureTranslator> _features;
    private readonly UnsupportedFeatureCheck _unsupported;

    public SnapshotTranslator(
        ListenerSet listeners,
        IOptions<MeshProxyOptions> options,
        IEnumerable<IRouteFilterFactory> filterFactories,
        IEnumerable<IFeatureTranslator>? features = null)
    {
        _listeners = listeners;
        _options = options.Value;
        _filterFactories = [.. filterFactories];
        _features = [.. features ?? []];
        _unsupported = new UnsupportedFeatureCheck(_features);
    }

    public TranslationResult Translate(ProxySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var errors = new TranslationErrors();
        if (string.IsNullOrEmpty(snapshot.Version))
        {
            errors.Add("version", "must not be empty");
        }

        _unsupported.Check(snapshot, errors);
        var features = new FeatureTranslation[_features.Count];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = _features[i].Begin(snapshot, errors);
        }

        var (clusters, yarpClusters) = TranslateClusters(snapshot, features, errors);
        var routeTranslator = new RouteTranslator(clusters, _filterFactories, features);
        var virtualHosts = new List<ParsedVirtualHost>();
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

            var translation = new VirtualHostTranslation(vh, path, errors);
            foreach (var feature in features)
            {
                feature.TranslateVirtualHost(translation);
            }

            var model = new VirtualHostModel(vh.Name, (int)vh.Port, [.. vh.Domains], [.. routes])
            {
                GatewayServer = string.IsNullOrEmpty(vh.GatewayServer) ? null : vh.GatewayServer,
                RequireTls = translation.RequireTls,
            };
            virtualHosts.Add(new ParsedVirtualHost(i, model, domains));
        }

        // Gateway server ports no configured listener serves get listeners of their own (opened once the model is published).
        var live = _options.Mode == MeshProxyMode.Gateway ? LiveGatewayListeners.Plan(snapshot, _listeners) : [];
        var listeners = new ListenerTranslation(_listeners, _options.Mode, virtualHosts, errors);
        var capture = CaptureTableTranslator.Translate(snapshot, errors);
        if (_options.Mode == MeshProxyMode.Sidecar)
        {
            ListenerRoutesBuilder.Build(listeners, clusters, capture);
        }

        foreach (var feature in features)
        {
            feature.TranslateListeners(listeners);
        }

        var listenerRoutes = listeners.Build();
        if (errors.Count > 0)
        {
            return TranslationResult.Failure(errors);
        }

        var translated = new SnapshotTranslation(snapshot, clusters);
        foreach (var feature in features)
        {
            feature.OnTranslated(translated);
        }

        var routingModel = new RoutingModel(snapshot, listenerRoutes, clusters.ToFrozenDictionary(StringComparer.Ordinal), [.. virtualHosts.Select(v => v.Model)])
        {
            RegistryOnly = snapshot.OutboundTrafficPolicy?.Mode == OutboundTrafficPolicy.Types.Mode.RegistryOnly,
            FeatureModels = translated.BuildModels(),
            LiveListeners = live,
            Capture = capture,
        };
        return TranslationResult.Success(routingModel, yarpClusters);
    }

    private (Dictionary<string, UpstreamCluster>, List<ClusterConfig>) TranslateClusters(ProxySnapshot snapshot, FeatureTranslation[] features, TranslationErrors errors)
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

            if (ClusterTranslator.Translate(snapshot, cluster, path, errors, features) is { } translated)
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
            if (listener.IsNetwork)
            {
                // The L4 feature connects to the app itself; YARP has nothing to forward.
                clusters[listener.InboundClusterName!] = new UpstreamCluster(listener.InboundClusterName!, ProtocolOf(listener.Protocol)) { Port = listener.TargetPort, EndpointCount = 1 };
                continue;
            }

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
        ListenerProtocol.TCP => Protocol.Tcp,
        ListenerProtocol.TLS => Protocol.Tls,
        _ => Protocol.Http,
    };
}
