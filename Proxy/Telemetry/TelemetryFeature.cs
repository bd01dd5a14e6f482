using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Telemetry.AccessLog;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Stats;
using Mesh.Proxy.Telemetry.Tcp;
using Mesh.Proxy.Telemetry.Tracing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ObjectPool;

namespace Mesh.Proxy.Telemetry;

/// <summary>
/// The proxy's telemetry (Istio's Telemetry resource): spans, Istio's standard metrics, access
/// logs, peer metadata exchange, the admin <c>/stats</c> edges the mesh console reads, and OTLP export.
/// </summary>
public sealed class TelemetryFeature : IProxyFeatureModule
{
    public void Register(ProxyFeatureBuilder feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        var services = feature.Services;
        services.AddMetrics();
        services.AddSingleton<ProxyInstruments>();
        services.AddSingleton<ProxyTracing>();
        services.AddSingleton<EdgeStatsRegistry>();
        services.AddSingleton<PeerMetadataHeader>();
        services.AddSingleton<AccessLogQueue>();
        services.AddHostedService<AccessLogWriter>();
        services.AddSingleton<ObjectPool<TelemetryRequestFeature>>(
            new DefaultObjectPool<TelemetryRequestFeature>(new TelemetryRequestFeaturePoolPolicy(), maximumRetained: 1024));

        services.AddSingleton<TcpTelemetryObserver>();
        services.AddHostedService(sp => sp.GetRequiredService<TcpTelemetryObserver>());

        feature.AddTranslator<TelemetryTranslator>()
            .AddMiddleware<TelemetryMiddleware>(ProxyStage.RequestStart)
            .AddRequestTransform<PeerMetadataTransform>(ProxyStage.MetadataExchange)
            .AddObserver<TelemetryObserver>()
            .AddListenerStage<ConnectionTelemetry>(ListenerStage.ConnectionObservers)
            .AddTcpSessionObserver<TcpTelemetryObserver>()
            .AddUpstreamClientConfigurator<TracePropagation>()
            .AddAdminEndpoint<StatsEndpoint>();
        ProxyOpenTelemetry.Add(feature);
    }
}
