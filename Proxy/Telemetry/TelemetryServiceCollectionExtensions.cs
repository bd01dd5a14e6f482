using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Telemetry.AccessLog;
using Mesh.Proxy.Telemetry.Metrics;
using Mesh.Proxy.Telemetry.Peers;
using Mesh.Proxy.Telemetry.Stats;
using Mesh.Proxy.Telemetry.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ObjectPool;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mesh.Proxy.Telemetry;

/// <summary>Registers the proxy's telemetry: spans, Istio metrics, access logs, the /stats edges and OTLP export.</summary>
public static class TelemetryServiceCollectionExtensions
{
    public static WebApplicationBuilder AddMeshTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMetrics();
        services.AddSingleton<ProxyInstruments>();
        services.AddSingleton<ProxyTracing>();
        services.AddSingleton<EdgeStatsRegistry>();
        services.AddSingleton<TelemetryTranslator>();
        services.AddSingleton<PeerMetadataHeader>();
        services.AddSingleton<AccessLogQueue>();
        services.AddHostedService<AccessLogWriter>();
        services.AddSingleton<ObjectPool<TelemetryRequestFeature>>(
            new DefaultObjectPool<TelemetryRequestFeature>(new TelemetryRequestFeaturePoolPolicy(), maximumRetained: 1024));
        services.AddSingleton<IMeshRequestObserver, TelemetryObserver>();
        services.AddSingleton<ITransformProvider, PeerMetadataTransform>();
        services.AddSingleton<IListenerConfigurator, ConnectionTelemetry>();
        ProxyOpenTelemetry.Add(builder);
        ProxyOpenTelemetry.KeepAccessLogs(builder);
        return builder;
    }

    /// <summary>The admin listener's <c>/stats</c> (before the other admin endpoints).</summary>
    public static WebApplication UseMeshStatsEndpoint(this WebApplication app)
    {
        app.UseMiddleware<StatsEndpoint>();
        return app;
    }
}
