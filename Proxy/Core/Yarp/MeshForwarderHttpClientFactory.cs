using Mesh.Proxy.Security.Certificates;
using Mesh.Proxy.Security.Tls;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Mesh.Proxy.Core.Yarp;

/// <summary>
/// The one place where upstream connections are configured: every YARP cluster client and the
/// passthrough client come from here. Upstream TLS (client certificates, SAN verification for
/// mesh mTLS) belongs in <see cref="ConfigureHandler"/>.
/// </summary>
public sealed class MeshForwarderHttpClientFactory : ForwarderHttpClientFactory
{
    /// <summary>Istio's default connect timeout.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly WorkloadIdentityState _identity;

    public MeshForwarderHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, WorkloadIdentityState identity)
        : base(logger)
    {
        _identity = identity;
    }

    /// <summary>A client for passthrough traffic (hosts unknown to the mesh), configured like cluster clients.</summary>
    public HttpMessageInvoker CreatePassthroughClient()
        => CreateClient(new ForwarderHttpClientContext { ClusterId = "mesh|passthrough", NewConfig = HttpClientConfig.Empty });

    /// <summary>
    /// YARP reuses a cluster's client while its HttpClientConfig is unchanged; the mesh keeps
    /// client settings (timeouts, upstream TLS) in the cluster metadata, so those count too.
    /// </summary>
    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context) && SameMetadata(context.OldMetadata, context.NewMetadata);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);

        // The upstream request continues the proxy's span (not HttpClient's unrecorded activity).
        handler.ActivityHeadersPropagator = Telemetry.Tracing.MeshTracePropagator.Instance;
        handler.ConnectTimeout = ClusterMetadata.ReadMilliseconds(context.NewMetadata, ClusterMetadata.ConnectTimeoutMs) ?? DefaultConnectTimeout;
        if (ClusterMetadata.ReadMilliseconds(context.NewMetadata, ClusterMetadata.IdleTimeoutMs) is { } idle)
        {
            handler.PooledConnectionIdleTimeout = idle;
        }

        // Detect dead HTTP/2 upstream connections (long-lived gRPC streams) instead of hanging.
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
        UpstreamTlsConfigurator.Configure(context.NewMetadata, handler, _identity);
    }

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
