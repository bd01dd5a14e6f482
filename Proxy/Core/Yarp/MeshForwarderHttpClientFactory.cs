using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Yarp.Http1;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// The one place where upstream connections are configured: every YARP cluster client and the
/// passthrough client come from here. Core sets timeouts and keep-alive; features shape the rest
/// (upstream TLS, the trace propagator) through <see cref="IUpstreamClientConfigurator"/>s.
/// </summary>
internal sealed class MeshForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    /// <summary>Istio's default connect timeout.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    private const string PassthroughClusterId = "mesh|passthrough";

    private readonly IUpstreamClientConfigurator[] _configurators;
    private readonly bool _meshHttp1Client;

    public MeshForwarderHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, IEnumerable<IUpstreamClientConfigurator> configurators, IOptions<MeshProxyOptions> options)
        : base(logger)
    {
        _configurators = [.. configurators];
        _meshHttp1Client = options.Value.Http1Client == UpstreamHttp1Client.Mesh;
    }

    /// <summary>A client for passthrough traffic (hosts unknown to the mesh), configured like cluster clients.</summary>
    public HttpMessageInvoker CreatePassthroughClient()
        => CreateClient(new ForwarderHttpClientContext { ClusterId = PassthroughClusterId, NewConfig = HttpClientConfig.Empty });

    /// <summary>
    /// YARP reuses a cluster's client while its HttpClientConfig is unchanged; the mesh keeps
    /// client settings (timeouts, upstream TLS) in the cluster metadata, so those count too.
    /// </summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context) && SameMetadata(context.OldMetadata, context.NewMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.ConnectTimeout = ClusterMetadata.ReadMilliseconds(context.NewMetadata, ClusterMetadata.ConnectTimeoutMs) ?? DefaultConnectTimeout;
        if (ClusterMetadata.ReadMilliseconds(context.NewMetadata, ClusterMetadata.IdleTimeoutMs) is { } idle)
        {
            handler.PooledConnectionIdleTimeout = idle;
        }

        // Detect dead HTTP/2 upstream connections (long-lived gRPC streams) instead of hanging.
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
        foreach (var configurator in _configurators)
        {
            configurator.Configure(context.NewMetadata, handler);
        }
    }

    /// <summary>With <c>Mesh:Http1Client=Mesh</c>, HTTP/1.1 requests go over the mesh's own pool; the configured handler serves the rest.</summary>
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        _meshHttp1Client && handler is SocketsHttpHandler sockets ? new MeshHttp1Handler(sockets) : base.WrapHandler(context, handler);

    private static bool SameMetadata(IReadOnlyDictionary<string, string>? old, IReadOnlyDictionary<string, string>? current)
    {
        if ((old?.Count ?? 0) != (current?.Count ?? 0))
        {
            return false;
        }

        foreach (var (key, value) in old ?? new Dictionary<string, string>())
        {
            if (!current!.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
