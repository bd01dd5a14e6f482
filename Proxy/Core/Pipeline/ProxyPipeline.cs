namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// THE order of the proxy's request pipeline: the one place that says what runs before what.
/// Features add to a stage when they register (Hosting.ProxyFeatureBuilder) or, for route filters,
/// when their translator compiles a route (Translation.RouteTranslation.AddFilter); several
/// contributions to one stage run in feature registration order. Nothing else orders the pipeline.
/// <para>
/// The reference is Envoy's HTTP filter chain as Istio builds it. Istio's filter-chain principles
/// put routing first, then application security (authentication before authorization), then
/// traffic management, and telemetry last; each stage names the Envoy piece it corresponds to:
/// </para>
/// <code>
///  stage                    kind                      Envoy                                         feature
///  RequestStart             middleware                HCM: x-request-id, tracing;                   Telemetry
///                                                     istio.metadata_exchange (decode)
///  Routing                  Core                      HCM route table (RDS): virtual host, route,   Core (gateway
///                                                     require_tls; PassthroughCluster/BlackHole      listeners: Gateway)
///  Authentication           middleware                istio_authn (peer), jwt_authn                 Security
///  Authorization            middleware                rbac                                          Security
///  Fault                    route filter              envoy.filters.http.fault                      Traffic
///  Cors                     route filter              envoy.filters.http.cors (Istio 1.20's place)  Traffic
///  RouteExtensions          route filter              (custom filters, like Wasm plugins)           IRouteFilterFactory
///  Mirror                   route filter              router: request_mirror_policies               Traffic
///  DirectResponse           route filter              route action: redirect, direct_response       Traffic
///  Router                   Core                      envoy.filters.http.router: weighted_clusters,  Core
///                                                     timeout, retry_policy; per attempt:
///  ConnectionPool           middleware (per attempt)  cluster circuit_breakers                      Traffic
///  LoadBalancing            Core (YARP)               cluster lb_policy (ILoadBalancingPolicy)      Core, Traffic
///  PassiveHealth            Core (YARP)               cluster outlier_detection                     Traffic
///                                                     (IPassiveHealthCheckPolicy)
///  UpstreamRequestHeaders   request transform         router: request_headers_to_add, rewrites      Traffic
///  MetadataExchange         request transform         istio.metadata_exchange (encode)              Telemetry
///  RetryClassification      response transform        router: retry_on of the response              Core
///  UpstreamResponseHeaders  response transform        response_headers_to_add, cors (encode),       Traffic
///                                                     outlier detection, hash cookie
///  UpstreamTrailers         trailers transform        outlier detection (gRPC status in trailers)   Traffic
///  Completed                observer                  istio.stats, access log                       Telemetry
/// </code>
/// Deviation kept on purpose: Istio 1.21+ moved cors before jwt_authn (so preflights are not
/// refused for lack of a token); this proxy keeps Istio 1.20's order, where cors follows fault.
/// </summary>
public enum ProxyStage
{
    /// <summary>Middleware around everything after it: request id, spans, peer metadata of the caller.</summary>
    RequestStart = 100,

    /// <summary>Core: listener → virtual host → route, or the request's end (404 NR, 502 NR, 503 NC, passthrough).</summary>
    Routing = 200,

    /// <summary>Middleware: who the peer and the end user are (mTLS mode, x-forwarded-client-cert, JWT; 401).</summary>
    Authentication = 300,

    /// <summary>Middleware: whether they may (authorization policies; 403).</summary>
    Authorization = 400,

    /// <summary>Route filter: injected delays and aborts.</summary>
    Fault = 500,

    /// <summary>Route filter: CORS preflights.</summary>
    Cors = 600,

    /// <summary>Route filter: filters of <c>IRouteFilterFactory</c> registrations.</summary>
    RouteExtensions = 700,

    /// <summary>Route filter: mirrored copies of the request.</summary>
    Mirror = 800,

    /// <summary>Route filter: routes that answer themselves (redirect, direct response).</summary>
    DirectResponse = 900,

    /// <summary>Core: the weighted cluster pick, passthrough, and the upstream attempts (timeouts, retries, body replay).</summary>
    Router = 1000,

    /// <summary>Middleware, per attempt: circuit breaking.</summary>
    ConnectionPool = 1100,

    /// <summary>Core (YARP's load balancing middleware), per attempt: the cluster's policy picks the endpoint.</summary>
    LoadBalancing = 1200,

    /// <summary>Core (YARP's passive health middleware), per attempt: outlier detection sees the attempt's result.</summary>
    PassiveHealth = 1300,

    /// <summary>Request transform, per attempt: header operations and rewrites on the upstream request.</summary>
    UpstreamRequestHeaders = 1400,

    /// <summary>Request transform, per attempt: this proxy's peer metadata to mesh upstreams.</summary>
    MetadataExchange = 1500,

    /// <summary>Response transform, per attempt, first: the router's retry decision on the upstream response.</summary>
    RetryClassification = 1600,

    /// <summary>Response transform, per attempt: response header operations, CORS headers, outlier counts, hash cookie.</summary>
    UpstreamResponseHeaders = 1700,

    /// <summary>Response trailers transform, per attempt.</summary>
    UpstreamTrailers = 1800,

    /// <summary>Observers (<c>IMeshRequestObserver</c>), once the request completed: metrics, spans, access logs.</summary>
    Completed = 1900,
}

/// <summary>
/// The order of the connection stages of every listener (Kestrel connection middleware; Envoy's
/// listener filters, transport socket and network filters).
/// </summary>
public enum ListenerStage
{
    /// <summary>tls_inspector + TLS transport socket: inbound mesh mTLS (Security), Gateway servers by SNI (Gateway).</summary>
    Tls = 100,

    /// <summary>Plain <c>IListenerConfigurator</c> registrations (extensions), in registration order.</summary>
    Extensions = 200,

    /// <summary>istio.stats for HTTP connections (TCP opened/closed counters, Telemetry): after TLS, so they see the peer certificate.</summary>
    ConnectionObservers = 300,

    /// <summary>
    /// The L4 proxy (Envoy's tcp_proxy with the network filters of <see cref="NetworkStage"/>): a
    /// connection served at L4 (TCP/TLS listeners, TCP/TLS/passthrough Gateway servers) ends here;
    /// every other connection goes on to HTTP.
    /// </summary>
    Network = 400,
}

/// <summary>
/// The order of what runs for each connection the L4 proxy serves (Envoy's network filter chain as
/// Istio builds it: rbac, istio.stats, tcp_proxy). Contributions: <c>INetworkFilter</c> (may refuse
/// the connection) and <c>ITcpSessionObserver</c> (told when the upstream is chosen and when the
/// connection ends).
/// </summary>
/// <code>
///  stage          Envoy                                  feature
///  Authorization  envoy.filters.network.rbac             Security
///  Observers      istio.stats (tcp), access log          Telemetry
///  TcpProxy       envoy.filters.network.tcp_proxy        L4 (the stage itself)
/// </code>
public enum NetworkStage
{
    /// <summary>AuthorizationPolicies with Istio's TCP semantics; a refused connection is closed before any upstream is dialled.</summary>
    Authorization = 100,

    /// <summary>Metrics, access log and console edges of the connection.</summary>
    Observers = 200,
}

/// <summary>What a <see cref="ProxyStage"/> accepts.</summary>
internal enum ProxyStageKind
{
    /// <summary>Run by Core itself; features cannot add to it (they plug in policies instead).</summary>
    Core,

    /// <summary>ASP.NET Core middleware (a class with <c>InvokeAsync(HttpContext)</c>).</summary>
    Middleware,

    /// <summary>An <c>IRouteFilter</c> compiled per route; the router runs the route's filters in stage order.</summary>
    RouteFilter,

    RequestTransform,
    ResponseTransform,
    ResponseTrailersTransform,

    /// <summary>An <c>IMeshRequestObserver</c>.</summary>
    Observer,
}

/// <summary>The kind of each stage: the table that keeps contributions where they belong.</summary>
internal static class ProxyPipeline
{
    public static ProxyStageKind KindOf(ProxyStage stage) => stage switch
    {
        ProxyStage.RequestStart or ProxyStage.Authentication or ProxyStage.Authorization or ProxyStage.ConnectionPool => ProxyStageKind.Middleware,
        ProxyStage.Fault or ProxyStage.Cors or ProxyStage.RouteExtensions or ProxyStage.Mirror or ProxyStage.DirectResponse => ProxyStageKind.RouteFilter,
        ProxyStage.UpstreamRequestHeaders or ProxyStage.MetadataExchange => ProxyStageKind.RequestTransform,
        ProxyStage.RetryClassification or ProxyStage.UpstreamResponseHeaders => ProxyStageKind.ResponseTransform,
        ProxyStage.UpstreamTrailers => ProxyStageKind.ResponseTrailersTransform,
        ProxyStage.Completed => ProxyStageKind.Observer,
        _ => ProxyStageKind.Core,
    };

    /// <summary>Middleware stages that run once per upstream attempt (inside the router) rather than once per request.</summary>
    public static bool IsPerAttempt(ProxyStage stage) => stage > ProxyStage.Router;

    /// <summary>Throws when <paramref name="stage"/> does not accept <paramref name="kind"/>: a misplaced contribution is a defect, found at start-up.</summary>
    public static void EnsureKind(ProxyStage stage, ProxyStageKind kind)
    {
        if (KindOf(stage) != kind)
        {
            throw new InvalidOperationException($"Pipeline stage {stage} takes {KindOf(stage)} contributions, not {kind}.");
        }
    }
}
