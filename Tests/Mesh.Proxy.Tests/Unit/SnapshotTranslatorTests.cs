using Google.Protobuf.WellKnownTypes;
using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Core.Yarp;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Security;
using Mesh.Proxy.Traffic;
using Mesh.Proxy.Traffic.Mirroring;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.LoadBalancing;
using static Mesh.Proxy.Tests.Infrastructure.TestSnapshots;

namespace Mesh.Proxy.Tests.Unit;

public sealed class SnapshotTranslatorTests
{
    private static readonly string V1 = ClusterName("reviews", 9080, "v1");
    private static readonly string V2 = ClusterName("reviews", 9080, "v2");

    public static TheoryData<string, Func<ProxySnapshot, ProxySnapshot>, string> Rejections => new()
    {
        { "empty version", s => { s.Version = ""; return s; }, "version: must not be empty" },
        { "unknown cluster", s => { s.VirtualHosts[0].Routes[0].Route_.Clusters[0].Cluster = "nope"; return s; }, "routes[0] (default).route.clusters[0]: references unknown cluster 'nope'" },
        { "zero weights", s => { s.VirtualHosts[0].Routes[0].Route_.Clusters[0].Weight = 0; return s; }, "weights sum to 0" },
        { "no clusters in action", s => { s.VirtualHosts[0].Routes[0].Route_.Clusters.Clear(); return s; }, "needs at least one cluster" },
        { "no action", s => { s.VirtualHosts[0].Routes[0].ClearAction(); return s; }, "route has no action" },
        { "bad uri regex", s => { s.VirtualHosts[0].Routes[0].Matches.Add(new RouteMatch { Uri = new StringMatch { Regex = "([" } }); return s; }, "routes[0] (default).matches[0].uri.regex: '([' is not a valid RE2 regular expression" },
        { "bad header regex", s => { var m = new RouteMatch(); m.Headers["end-user"] = new StringMatch { Regex = "(?<=x)y" }; s.VirtualHosts[0].Routes[0].Matches.Add(m); return s; }, "headers[end-user].regex" },
        { "unknown retry_on", s => { s.VirtualHosts[0].Routes[0].WithRetries(2, "5xx,envoy-ratelimited"); return s; }, "unsupported retry condition 'envoy-ratelimited'" },
        { "negative timeout", s => { s.VirtualHosts[0].Routes[0].Route_.Timeout = new Duration { Seconds = -1 }; return s; }, "route.timeout: must not be negative" },
        { "domain conflict", s => { var other = ServiceHost("reviews", 9080, To(V2)); other.Name = "dup"; s.VirtualHosts.Add(other); return s; }, "'reviews' on port 9080 is also claimed by virtual host 'reviews.default.svc.cluster.local:9080'" },
        { "invalid domain", s => { s.VirtualHosts[0].Domains.Add("a.*.b"); return s; }, "a wildcard must be the whole domain" },
        { "virtual host port 0", s => { s.VirtualHosts[0].Port = 0; return s; }, "port: must be 1-65535" },
        { "duplicate virtual host", s => { var twin = ServiceHost("ratings", 9080, To(V1)); twin.Name = s.VirtualHosts[0].Name; s.VirtualHosts.Add(twin); return s; }, "is used twice" },
        { "empty cluster name", s => { s.Clusters.Add(new Cluster()); return s; }, "clusters[2].name: must not be empty" },
        { "duplicate cluster", s => { s.Clusters.Add(Cluster(V1, Protocol.Http, 1)); return s; }, "cluster name is used twice" },
        { "reserved cluster name", s => { s.Clusters.Add(Cluster("inbound|9080||", Protocol.Http, 1)); return s; }, "reserved for the proxy's own clusters" },
        { "endpoint port 0", s => { s.Clusters[0].Endpoints.Add(new Endpoint { Address = "127.0.0.1" }); return s; }, "endpoints[1].port: must be 1-65535" },
        { "endpoint without address", s => { s.Clusters[0].Endpoints.Add(new Endpoint { Port = 80 }); return s; }, "endpoints[1].address: must not be empty" },
        { "tcp cluster routed", s => { s.Clusters[0].Protocol = Protocol.Tcp; return s; }, "speaks Tcp; HTTP routes cannot use it" },
        { "redirect code", s => { s.VirtualHosts[0].Routes[0].Redirect = new Redirect { Uri = "/x", Code = 200 }; return s; }, "routes[0] (default).redirect.code: must be 301, 302, 303, 307 or 308 (got 200)" },
        { "direct response status", s => { s.VirtualHosts[0].Routes[0].DirectResponse = new DirectResponse { Status = 42 }; return s; }, "direct_response.status: must be 100-599" },
        { "fault percentage", s => { s.VirtualHosts[0].Routes[0].Fault = new Fault { Delay = new DelayFault { FixedDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), Percentage = 150 } }; return s; }, "routes[0] (default).fault.delay.percentage: must be 0-100 (got 150)" },
        { "fault grpc status", s => { s.VirtualHosts[0].Routes[0].Fault = new Fault { Abort = new AbortFault { GrpcStatus = "BROKEN", Percentage = 100 } }; return s; }, "fault.abort.grpc_status: 'BROKEN' is not a gRPC error status" },
        { "mirror unknown cluster", s => { s.VirtualHosts[0].Routes[0].Mirrors.Add(new Mirror { Cluster = "nope", Percentage = 100 }); return s; }, "mirrors[0].cluster: references unknown cluster 'nope'" },
        { "pseudo header operation", s => { s.VirtualHosts[0].Routes[0].RequestHeaders = new HeaderOperations { Set = { [":path"] = "/x" } }; return s; }, "request_headers.set: pseudo-header ':path' cannot be changed" },
        { "weighted header value", s => { s.VirtualHosts[0].Routes[0].Route_.Clusters[0].ResponseHeaders = new HeaderOperations { Set = { ["a"] = "b\r\nc" } }; return s; }, "route.clusters[0].response_headers.set[a]: header values cannot contain CR, LF or NUL" },
        { "rewrite regex", s => { s.VirtualHosts[0].Routes[0].Route_.Rewrite = new Rewrite { UriRegex = new RegexRewrite { Match = "([", Rewrite = "/" } }; return s; }, "route.rewrite.uri_regex.match: '([' is not a valid RE2 regular expression" },
        { "cors origin regex", s => { s.VirtualHosts[0].Routes[0].Cors = new CorsPolicy { AllowOrigins = { new StringMatch { Regex = "(?=x)" } } }; return s; }, "cors.allow_origins[0].regex" },
        { "consistent hash without key", s => { s.Clusters[0].LoadBalancer.ConsistentHash = new ConsistentHash { MinimumRingSize = 16 }; return s; }, "load_balancer.consistent_hash: needs one of http_header_name" },
        { "maglev table size", s => { s.Clusters[0].LoadBalancer.ConsistentHash = new ConsistentHash { HttpHeaderName = "x-user", MaglevTableSize = 65536 }; return s; }, "consistent_hash.maglev_table_size: must be a prime below 5000011 (got 65536)" },
        { "requests per connection", s => { s.Clusters[0].ConnectionPool = new ConnectionPool { MaxRequestsPerConnection = 10 }; return s; }, "connection_pool.max_requests_per_connection: 10 is not supported" },
        { "outlier interval", s => { s.Clusters[0].OutlierDetection = new OutlierDetection { Consecutive5XxErrors = 5, Interval = new Duration() }; return s; }, "outlier_detection.interval: must be at least 1ms" },
        { "upstream tls", s => { s.Clusters[0].Tls = new UpstreamTls { Mode = UpstreamTls.Types.Mode.IstioMutual }; return s; }, "tls.mode: ISTIO_MUTUAL needs the mesh CA's trust bundle" },
        { "strict mtls", s => { s.Inbound = new InboundPolicy { Mtls = MtlsMode.Strict }; return s; }, "inbound.mtls: STRICT mutual TLS needs the mesh CA's trust bundle" },
        { "strict port mtls", s => { s.Inbound = new InboundPolicy { PortMtls = { [9080] = MtlsMode.Strict } }; return s; }, "STRICT mutual TLS" },
        { "authorization", s => { s.Inbound = new InboundPolicy { Authorization = { new AuthorizationPolicy { Name = "deny.default", Rules = { new AuthorizationRule { From = { new AuthorizationSource { IpBlocks = { "300.1.1.1" } } } } } } } }; return s; }, "inbound.authorization[0] (deny.default).rules[0].from[0].source.ipBlocks" },
        { "jwt", s => { s.Inbound = new InboundPolicy { JwtRules = { new JwtRule { Issuer = "x" } } }; return s; }, "inbound.jwt_rules[0] ().jwks_uri: a rule needs jwks or jwks_uri" },
        { "gateway tls", s => { s.GatewayServers.Add(new GatewayServer { Name = "gw/https", Port = 443, Protocol = Protocol.Https, Tls = new GatewayTls { Mode = GatewayTls.Types.Mode.Simple, ServerCertificatePem = "not a certificate", PrivateKeyPem = "not a key" } }); return s; }, "gateway_servers[0] (gw/https).tls.server_certificate_pem: the certificate files: holds no PEM certificate" },
        { "gateway passthrough", s => { s.GatewayServers.Add(new GatewayServer { Name = "gw/tls", Port = 443, Protocol = Protocol.Https, Tls = new GatewayTls() }); return s; }, "gateway_servers[0] (gw/tls).tls.mode: a server of protocol HTTPS needs tls.mode PASSTHROUGH, AUTO_PASSTHROUGH, SIMPLE, MUTUAL or ISTIO_MUTUAL" },
        { "gateway tls versions", s => { s.GatewayServers.Add(new GatewayServer { Name = "gw/https", Port = 443, Protocol = Protocol.Https, Tls = new GatewayTls { Mode = GatewayTls.Types.Mode.Simple, MinProtocolVersion = "TLSV1_3", MaxProtocolVersion = "TLSV1_2" } }); return s; }, "gateway_servers[0] (gw/https).tls.min_protocol_version: TLSV1_3 is above max_protocol_version TLSV1_2" },
        { "gateway tcp with tls termination", s => { s.GatewayServers.Add(new GatewayServer { Name = "gw/tcp", Port = 31400, Protocol = Protocol.Tcp, Tls = new GatewayTls { Mode = GatewayTls.Types.Mode.Simple } }); return s; }, "gateway_servers[0] (gw/tcp).tls.mode: TLS termination needs protocol HTTPS or TLS (the server's protocol is TCP)" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public void Bad_snapshots_are_rejected_naming_the_field(string description, Func<ProxySnapshot, ProxySnapshot> breakIt, string expected)
    {
        var result = Sidecar().Translate(breakIt(Good()));

        Assert.False(result.Succeeded, description);
        Assert.Contains(expected, result.Errors.ToNackReason(), StringComparison.Ordinal);
    }

    [Fact]
    public void All_errors_are_reported_together()
    {
        var snapshot = Good();
        snapshot.VirtualHosts[0].Routes[0].Route_.Clusters[0].Cluster = "nope";
        snapshot.Clusters[0].Tls = new UpstreamTls { Mode = UpstreamTls.Types.Mode.IstioMutual };

        var result = Sidecar().Translate(snapshot);

        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void Good_snapshot_translates_into_a_model_and_yarp_clusters()
    {
        var snapshot = Good();
        snapshot.Clusters[0].ConnectionPool = new ConnectionPool { ConnectTimeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500)) };
        snapshot.Clusters[1].LoadBalancer = new LoadBalancer { Simple = LoadBalancer.Types.Simple.LeastRequest };
        snapshot.Clusters.Add(Cluster(ClusterName("db", 5432), Protocol.Tcp, 5432)); // unreferenced TCP clusters are fine
        snapshot.Clusters.Add(Cluster(ClusterName("grpc", 7070), Protocol.Grpc, 7070));

        var result = Sidecar().Translate(snapshot);

        Assert.True(result.Succeeded, result.Errors.ToNackReason());
        var model = result.Model!;
        Assert.Equal("1", model.Version);
        Assert.Equal(["inbound|9080||", ClusterName("db", 5432), ClusterName("grpc", 7070), V1, V2], model.Clusters.Keys.Order());
        var yarp = result.YarpClusters.ToDictionary(c => c.ClusterId);
        Assert.DoesNotContain(ClusterName("db", 5432), yarp.Keys);
        Assert.Equal(MeshRoundRobinPolicy.PolicyName, yarp[V1].LoadBalancingPolicy);
        Assert.Equal(LoadBalancingPolicies.PowerOfTwoChoices, yarp[V2].LoadBalancingPolicy);
        Assert.Equal("1500", yarp[V1].Metadata![ClusterMetadata.ConnectTimeoutMs]);
        Assert.Equal("http://127.0.0.1:1001", Assert.Single(yarp[V1].Destinations!).Value.Address);
        Assert.Equal(new Version(1, 1), yarp[V1].HttpRequest!.Version);
        Assert.Equal(new Version(2, 0), yarp[ClusterName("grpc", 7070)].HttpRequest!.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, yarp[ClusterName("grpc", 7070)].HttpRequest!.VersionPolicy);
        var inbound = yarp["inbound|9080||"];
        Assert.Equal("http://127.0.0.9:8081", Assert.Single(inbound.Destinations!).Value.Address);
        Assert.Equal(new Version(2, 0), inbound.HttpRequest!.Version); // the inbound port is GRPC
    }

    [Fact]
    public void Listeners_resolve_their_virtual_hosts()
    {
        var snapshot = Good();
        snapshot.VirtualHosts.Add(ServiceHost("ratings", 9080, To(V1)));
        snapshot.VirtualHosts.Add(ServiceHost("ratings", 9090, To(V2)));

        var model = Sidecar().Translate(snapshot).Model!;
        var listeners = model.Listeners;

        Assert.Equal("reviews.default.svc.cluster.local:9080", listeners[Index(ListenerKind.Outbound, 0)].BoundVirtualHost!.Name);
        Assert.Equal("ratings.default.svc.cluster.local:9080", listeners[Index(ListenerKind.Outbound, 1)].BoundVirtualHost!.Name); // port 0: first of the host
        var unknown = listeners[Index(ListenerKind.Outbound, 2)];
        Assert.Null(unknown.BoundVirtualHost);
        Assert.Equal("httpbin.org:80", unknown.PassthroughAuthority);
        var catchAll = listeners[Index(ListenerKind.HttpProxy, 0)].HostsByPort!;
        Assert.Equal("ratings.default.svc.cluster.local:9090", catchAll[9090].Find("ratings")!.Name);
        Assert.Equal("ratings.default.svc.cluster.local:9080", catchAll[9080].Find("ratings.default.svc.cluster.local")!.Name);
        Assert.Equal("inbound|9080||", listeners[Index(ListenerKind.Inbound, 0)].InboundCluster!.Name);
    }

    [Fact]
    public void Gateway_mode_ignores_domain_ports_and_merges_the_listener_ports()
    {
        var options = new MeshProxyOptions { Mode = MeshProxyMode.Gateway, Node = { Workload = "gw" } };
        options.Gateway.Listeners.Add(new GatewayListenerOptions { Port = 8080, ServicePort = 80 });
        var translator = Translator(options);
        var onEighty = new VirtualHost { Name = "a", Port = 80, Domains = { "bookinfo.com:80", "shared.com" }, Routes = { To(V1) } };
        var onListenPort = new VirtualHost { Name = "b", Port = 8080, Domains = { "shared.com", "only-8080.com" }, Routes = { To(V2) } };
        var snapshot = Snapshot("g1", [onEighty, onListenPort], [Cluster(V1, Protocol.Http, 1001), Cluster(V2, Protocol.Http, 1002)]);

        var result = translator.Translate(snapshot);

        Assert.True(result.Succeeded, result.Errors.ToNackReason());
        var hosts = ((GatewayListenerRoutes)result.Model!.Listeners[0].Selector!).PlaintextHosts;
        Assert.Equal("a", hosts.Find("bookinfo.com")!.Name);
        Assert.Equal("a", hosts.Find("shared.com")!.Name);
        Assert.Equal("b", hosts.Find("only-8080.com")!.Name);
        Assert.Null(hosts.Find("other.com"));
    }

    [Fact]
    public void Route_filter_factories_attach_filters_to_the_routes_they_choose()
    {
        var translator = Translator(SidecarOptions(), new NamedRouteFactory("v2-only"));
        var snapshot = Good();
        snapshot.VirtualHosts[0].Routes.Insert(0, To(V2, "v2-only", UriPrefix("/v2")));

        var model = translator.Translate(snapshot).Model!;

        Assert.Single(model.VirtualHosts[0].Routes[0].Filters);
        Assert.Empty(model.VirtualHosts[0].Routes[1].Filters);
    }

    [Fact]
    public void Retry_policy_and_timeouts_are_compiled()
    {
        var snapshot = Good();
        snapshot.VirtualHosts[0].Routes[0].WithRetries(3, "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", TimeSpan.FromMilliseconds(250)).WithTimeout(TimeSpan.FromSeconds(2));
        snapshot.VirtualHosts[0].Routes[0].Route_.Retries.RetriableStatusCodes.Add(503);
        snapshot.VirtualHosts[0].Routes.Add(To(V2, "no-retries").WithRetries(0, "5xx"));

        var routes = Sidecar().Translate(snapshot).Model!.VirtualHosts[0].Routes;

        var retry = routes[0].Action!.Retry!;
        Assert.Equal(3, retry.NumRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), retry.PerTryTimeout);
        Assert.True(retry.ShouldRetryResponse(503, -1));
        Assert.True(retry.ShouldRetryResponse(200, 14));
        Assert.False(retry.ShouldRetryResponse(500, -1));
        Assert.Equal(TimeSpan.FromSeconds(2), routes[0].Action!.Timeout);
        Assert.Null(routes[1].Action!.Retry); // attempts: 0 disables retries, as in Istio
    }

    private static ProxySnapshot Good()
        => Snapshot("1", [ServiceHost("reviews", 9080, To(V1))], [Cluster(V1, Protocol.Http, 1001), Cluster(V2, Protocol.Http, 1002)]);

    private static MeshProxyOptions SidecarOptions()
    {
        var options = new MeshProxyOptions { Node = { Workload = "productpage-v1" }, Service = "productpage", AppAddress = "127.0.0.9" };
        options.Inbound.Add(new InboundPortOptions { Name = "grpc", Port = 9080, TargetPort = 8081, Protocol = ListenerProtocol.GRPC });
        options.Outbound.Add(new OutboundBindingOptions { Host = "reviews", Port = 9080 });
        options.Outbound.Add(new OutboundBindingOptions { Host = "ratings", Port = 0 });
        options.Outbound.Add(new OutboundBindingOptions { Host = "httpbin.org", Port = 80 });
        options.HttpProxyPort = 0;
        return options;
    }

    private static readonly ListenerSet SidecarListeners = ListenerSet.Create(SidecarOptions());

    private static int Index(ListenerKind kind, int n) => SidecarListeners.OfKind(kind).ElementAt(n).Index;

    private static SnapshotTranslator Sidecar() => Translator(SidecarOptions());

    /// <summary>Core's translation with the security, traffic and gateway features' parts, as a proxy runs it.</summary>
    private static SnapshotTranslator Translator(MeshProxyOptions options, params IRouteFilterFactory[] factories)
    {
        var listeners = ListenerSet.Create(options);
        return new(
            listeners,
            Options.Create(options),
            factories,
            [
                new SecurityTranslator(listeners),
                new TrafficTranslator(TimeProvider.System, new MirrorSender(NullLogger<MirrorSender>.Instance), new TrafficStateRegistry()),
                new GatewayTranslator(),
            ]);
    }

    private sealed class NamedRouteFactory(string name) : IRouteFilterFactory
    {
        public IRouteFilter? Create(Route route) => route.Name == name ? new NoopFilter() : null;
    }

    private sealed class NoopFilter : IRouteFilter
    {
        public ValueTask<bool> OnRequestAsync(Microsoft.AspNetCore.Http.HttpContext context, RoutingResult request) => ValueTask.FromResult(true);
    }
}
