using Mesh.Proxy.Core.Admin;
using Mesh.Proxy.Core.Admin.AppProbes;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Discovery;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Core.Yarp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// Wires the proxy into a host: <c>builder.AddMeshProxy(mode).AddFeature&lt;…&gt;()</c> for each
/// feature, then <c>app.MapMeshProxy()</c>.
/// </summary>
public static class MeshProxyHostingExtensions
{
    /// <summary>
    /// Registers the proxy core: options from the "Mesh" section, Kestrel listeners, YARP with the
    /// mesh config provider and policies, the control plane client and the admin endpoints. Add
    /// the features the host serves on the returned builder.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="mode">The mode the host runs in; a different Mesh:Mode in configuration is an error.</param>
    public static MeshProxyBuilder AddMeshProxy(this WebApplicationBuilder builder, MeshProxyMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (mode is { } fixedMode)
        {
            var configured = builder.Configuration[$"{MeshProxyOptions.SectionName}:{nameof(MeshProxyOptions.Mode)}"];
            if (!string.IsNullOrEmpty(configured)
                && (!Enum.TryParse<MeshProxyMode>(configured, ignoreCase: true, out var configuredMode) || configuredMode != fixedMode))
            {
                throw new ProxySettingsException(
                    [$"{MeshProxyOptions.SectionName}:{nameof(MeshProxyOptions.Mode)} is '{configured}' but this host runs the proxy in {fixedMode} mode."]);
            }

            builder.Configuration[$"{MeshProxyOptions.SectionName}:{nameof(MeshProxyOptions.Mode)}"] = fixedMode.ToString();
        }

        // Lowest-precedence defaults: the request path must not log per request at Information.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",

                // ASP.NET Core starts an Activity for every request whenever this category is enabled
                // at any level, and HttpClient then starts another for the upstream call and injects
                // its trace context: 39 % of a sidecar's allocations per request (docs/benchmarks.md). The
                // proxy's spans come from the Telemetry feature; this category logs requests (Information)
                // and start-up failures, which also end the process with their exception.
                ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
                ["Logging:LogLevel:Yarp"] = "Warning",

                // The host logs a hosted service that fails to start ("Hosting failed to start", Error)
                // with its stack trace before it rethrows; the proxy programs report what that can be
                // (a listener that cannot be opened, bad settings) as one line (MeshProxyProgram), and
                // anything else ends the process with its trace anyway. A BackgroundService that fails
                // later is still logged (Critical, as it stops the host).
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
                ["Logging:LogLevel:Grpc"] = "Warning",
            },
        });

        var services = builder.Services;
        var section = builder.Configuration.GetSection(MeshProxyOptions.SectionName);
        services.AddOptions<MeshProxyOptions>().Configure(options => ProxySettingsException.Binding(() => section.Bind(options))).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MeshProxyOptions>, MeshProxyOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => ListenerSet.Create(sp.GetRequiredService<IOptions<MeshProxyOptions>>().Value));
        services.TryAddSingleton<WorkloadIdentityState>();

        services.TryAddSingleton<ListenerStatusState>();
        services.TryAddSingleton<LiveListenerBinder>();
        services.TryAddSingleton<CaptureDispatch>();
        services.AddOptions<SocketTransportOptions>().Configure<ListenerSet>((sockets, listeners) =>
            sockets.CreateBoundListenSocket = endpoint => KestrelListenerSetup.CreateListenSocket(listeners, endpoint));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // A caller on another network reaches this sidecar through an east-west gateway with
            // HTTP/2 over the mTLS its connect callback set up: its handler sees an http:// upstream
            // and sends :scheme http on a TLS connection, which Envoy accepts and Kestrel only with this.
            kestrel.AllowAlternateSchemes = true;
            var provider = kestrel.ApplicationServices;
            var configurators = KestrelListenerSetup.OrderedConfigurators(provider);
            KestrelListenerSetup.Configure(kestrel, provider.GetRequiredService<ListenerSet>(), configurators, provider.GetRequiredService<CaptureDispatch>());
            if (provider.GetRequiredService<IOptions<MeshProxyOptions>>().Value.Mode == MeshProxyMode.Gateway)
            {
                // Gateway server ports no configured listener serves are opened live through Kestrel's endpoint reload.
                var live = provider.GetRequiredService<LiveListenerBinder>();
                live.Attach(kestrel.Configure(live.Configuration, reloadOnChange: true), configurators);
            }
        });

        services.AddSingleton<MeshProxyConfigProvider>();
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<MeshProxyConfigProvider>());
        services.AddSingleton<YarpConfigApplyListener>();
        services.AddSingleton<IConfigChangeListener>(sp => sp.GetRequiredService<YarpConfigApplyListener>());
        services.AddReverseProxy().AddTransforms<MeshTransformProvider>();
        services.AddSingleton<MeshForwarderHttpClientFactory>();
        services.Replace(ServiceDescriptor.Singleton<IForwarderHttpClientFactory>(sp => sp.GetRequiredService<MeshForwarderHttpClientFactory>()));
        services.AddSingleton<ILoadBalancingPolicy, MeshRoundRobinPolicy>();

        // The router's own transform stage: the retry decision on each upstream response.
        services.AddSingleton<UpstreamResponseClassifier>();
        services.AddSingleton(new ProxyStageRegistration(ProxyStage.RetryClassification, typeof(UpstreamResponseClassifier), "Core"));

        services.AddSingleton<RoutingState>();
        services.AddSingleton<SnapshotState>();
        services.AddSingleton<SnapshotTranslator>();
        services.AddSingleton<SnapshotApplier>();
        services.AddSingleton<NodeIdentityFactory>();
        services.AddSingleton<Network.NetworkStages>();
        services.AddSingleton<PassthroughForwarder>();
        services.AddSingleton<Explain.RequestExplainerEngine>();
        services.AddSingleton<Explain.ExplainEndpoint>();
        services.AddSingleton<IAdminEndpoint, ServerInfoEndpoint>();

        services.AddSingleton<AppProber>();
        services.AddSingleton<AppProbeEndpoint>();

        // Sized for concurrency, not cores: every in-flight request holds one.
        services.AddSingleton<ObjectPool<RoutingResult>>(new DefaultObjectPool<RoutingResult>(new RoutingResultPoolPolicy(), maximumRetained: 1024));
        services.AddSingleton<AppHealthState>();
        services.AddHostedService<AppHealthChecker>();
        services.AddHostedService<ReadinessProbeChecker>();
        services.AddHostedService<ControlPlaneClient>();
        services.AddHostedService<StartupPagesRelease>();
        return new MeshProxyBuilder(builder);
    }

    /// <summary>
    /// Adds the admin endpoints and the proxy pipeline: the stages of <see cref="ProxyStage"/> in
    /// their declared order, Core's and the features'.
    /// </summary>
    public static WebApplication MapMeshProxy(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var listenerLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Proxy.Listeners");
        foreach (var unserved in app.Services.GetRequiredService<ListenerSet>().Unserved)
        {
            HostingLog.ListenerNotServed(listenerLog, unserved.Name, unserved.Port, unserved.Reason);
        }

        var middleware = StageOrder.Of(app.Services.GetServices<ProxyStageRegistration>(), ProxyStageKind.Middleware);

        // The proxy authorizes in its own stages (Security's rbac), never by ASP.NET Core endpoint
        // metadata. YARP registers the authorization services (for route policies the mesh never
        // sets), and WebApplication then adds UseAuthorization in front of every request — a
        // middleware that costs each request an Items dictionary and an async frame, to decide
        // nothing. Marking it as added (the key UseAuthorization sets) keeps it out.
        ((IApplicationBuilder)app).Properties[AuthorizationMiddlewareSetKey] = true;
        app.UseMiddleware<AdminMiddleware>();
        app.UseMiddleware<ProxyEndpointStage>();
        app.UseRouting();
        app.MapReverseProxy(pipeline =>
        {
            foreach (var stage in Enum.GetValues<ProxyStage>())
            {
                switch (stage)
                {
                    case ProxyStage.Routing:
                        pipeline.UseMiddleware<RoutingStage>();
                        break;
                    case ProxyStage.Router:
                        pipeline.UseMiddleware<RouterStage>();
                        break;
                    case ProxyStage.LoadBalancing:
                        pipeline.UseMiddleware<EndpointGroupStage>();
                        pipeline.UseLoadBalancing();
                        break;
                    case ProxyStage.PassiveHealth:
                        // Only clusters with outlier detection have passive health checks: the others
                        // skip YARP's middleware (an async frame per request) instead of entering it.
                        pipeline.UseWhen(UsesPassiveHealth, branch => new ReverseProxyBranch(branch).UsePassiveHealthChecks());
                        break;
                    default:
                        foreach (var registration in middleware.Where(r => r.Stage == stage))
                        {
                            pipeline.UseMiddleware(registration.Implementation);
                        }

                        break;
                }
            }
        });
        return app;
    }

    private const string AuthorizationMiddlewareSetKey = "__AuthorizationMiddlewareSet";

    private static bool UsesPassiveHealth(HttpContext context)
        => context.GetReverseProxyFeature().Cluster?.Config.HealthCheck?.Passive?.Enabled == true;
}
