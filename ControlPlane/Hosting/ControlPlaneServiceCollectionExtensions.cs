using Grpc.AspNetCore.Server.Model;
using Mesh.ControlPlane.Admin;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Console;
using Mesh.ControlPlane.Credentials;
using Mesh.ControlPlane.Discovery;
using Mesh.ControlPlane.Gateways;
using Mesh.ControlPlane.Identity;
using Mesh.ControlPlane.Kubernetes;
using Mesh.ControlPlane.Registry;
using Mesh.ControlPlane.Security;
using Mesh.ControlPlane.Snapshots;
using Mesh.ControlPlane.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Hosting;

/// <summary>Composes the control plane's services: the stages, their background loops and the listeners.</summary>
internal static class ControlPlaneServiceCollectionExtensions
{
    public static WebApplicationBuilder AddMeshControlPlane(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ControlPlaneOptions>()
            .Bind(builder.Configuration.GetSection(ControlPlaneOptions.SectionName))
            .Validate(o => o.AdminPort is >= 0 and <= 65535 && o.GrpcPort is >= 0 and <= 65535, "ControlPlane ports must be 0..65535")
            .Validate(o => o.AdminPort == 0 || o.AdminPort != o.GrpcPort, "ControlPlane:AdminPort and ControlPlane:GrpcPort must differ")
            .Validate(o => o.DiscoveryTls.Port is null or 0 || (o.DiscoveryTls.Port is > 0 and <= 65535 && o.DiscoveryTls.Port != o.GrpcPort && o.DiscoveryTls.Port != o.AdminPort), "ControlPlane:DiscoveryTls:Port must be 0..65535 and differ from ControlPlane:GrpcPort and ControlPlane:AdminPort")
            .Validate(o => o.DiscoveryTls.Names.All(n => System.Net.IPAddress.TryParse(n, out _) || Uri.CheckHostName(n.Trim()) == UriHostNameType.Dns), "ControlPlane:DiscoveryTls:Names must be DNS names or IP addresses")
            .Validate(o => o.MaxObjectBytes > 0 && o.MaxTotalConfigBytes >= o.MaxObjectBytes, "ControlPlane:MaxObjectBytes must be positive and at most ControlPlane:MaxTotalConfigBytes")
            .Validate(o => o.MaxConcurrentPushes >= 1 && o.SlowProxyTimeout > TimeSpan.Zero, "ControlPlane:MaxConcurrentPushes must be at least 1 and ControlPlane:SlowProxyTimeout positive")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ControlPlaneListeners>();
        services.AddSingleton<ControlPlaneReadiness>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<ControlPlaneListeners, IOptions<ControlPlaneOptions>, DiscoveryServingCertificate>((kestrel, listeners, options, serving) => listeners.Configure(kestrel, options.Value, serving));

        // Configuration
        services.AddSingleton(sp => new AppliedConfigRepository(DataDirectory(sp)));
        services.AddSingleton(sp => new AcceptedConfigJournal(DataDirectory(sp), sp.GetRequiredService<ILogger<AcceptedConfigJournal>>()));
        services.AddSingleton(sp => new ConfigStore(
            sp.GetRequiredService<AppliedConfigRepository>(),
            sp.GetRequiredService<AcceptedConfigJournal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ConfigStore>>(),
            sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.ConfigDirectory is { Length: > 0 } directory
                ? Path.GetFullPath(directory)
                : null,
            ConfigSizeLimits.From(sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value)));
        if (KubernetesServiceCollectionExtensions.IsKubernetesMode(builder.Configuration))
        {
            // Config from the mesh CRDs instead of a watched directory (ControlPlane/Kubernetes).
            builder.AddMeshKubernetes();
        }
        else
        {
            services.AddHostedService<ConfigDirectoryWatcher>();
        }

        // Registry, snapshots, discovery. On Kubernetes the API server is the registry's source
        // (and its memory across restarts: no journal); locally the connected proxies are.
        var workloadSource = KubernetesServiceCollectionExtensions.IsKubernetesMode(builder.Configuration) ? WorkloadSource.ApiServer : WorkloadSource.Proxies;
        services.AddSingleton(sp =>
        {
            // Remembered before any proxy can connect, so no snapshot is built without them.
            var registry = new WorkloadRegistry(sp.GetRequiredService<TimeProvider>(), workloadSource);
            var options = sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value;
            if (options.RegistryGracePeriod > TimeSpan.Zero && workloadSource == WorkloadSource.Proxies)
            {
                var logger = sp.GetRequiredService<ILogger<RegistryJournal>>();
                registry.Remember(RegistryJournal.Read(DataDirectory(sp), logger), options.RegistryGracePeriod);
            }

            return registry;
        });
        services.AddHostedService(sp => new RegistryJournal(
            sp.GetRequiredService<WorkloadRegistry>(),
            sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.RegistryGracePeriod > TimeSpan.Zero && workloadSource == WorkloadSource.Proxies ? DataDirectory(sp) : null,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RegistryJournal>>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value;
            return new MeshSettings
            {
                TrustDomain = options.TrustDomain,
                DefaultNamespace = options.DefaultNamespace,
                RootNamespace = options.RootNamespace,
                Network = options.Network,
                ControlPlaneDiscovery = sp.GetService<IControlPlaneEndpoint>() is { } endpoint ? () => endpoint.SecureDiscovery ?? endpoint.Discovery : null,
                TrustBundlePem = sp.GetRequiredService<MeshCertificateAuthority>().TrustBundle,
                PemFileReader = PemFiles.Reader(options.ConfigDirectory, options.DataDirectory),
            };
        });

        // Named TLS credentials (credentialName) from <data>/credentials, live (ControlPlane/Credentials).
        builder.AddMeshCredentials();
        services.TryAddSingleton<IProxySnapshotBuilder, DefaultProxySnapshotBuilder>();
        services.AddSingleton<SnapshotCache>();
        services.AddSingleton(sp => new MemoryReclaimer(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.AckTimeout,
            sp.GetRequiredService<ILogger<MemoryReclaimer>>()));
        services.AddSingleton<ConnectedProxies>();
        services.AddSingleton<SnapshotDeltaPlans>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ControlPlaneOptions>>().Value;
            return new PushThrottle(options.MaxConcurrentPushes, options.SlowProxyTimeout, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<WorkloadEntryAutoRegistration>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkloadEntryAutoRegistration>());
        services.AddSingleton<DiscoveryDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<DiscoveryDrain>());
        services.AddSingleton<PushScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<PushScheduler>());
        builder.AddMeshCertificateAuthority();
        builder.AddMeshProxyCredentials();
        services.TryAddSingleton<IProxyAuthenticator, AllowAnyProxyAuthenticator>();
        services.AddGrpc();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<MeshDiscoveryService>, DiscoveryMethods>());

        // Admin, mesh console (ControlPlane/Console) and the control plane's own metrics (ControlPlane/Telemetry)
        // Gateway API status (and, locally, the Gateways' proxies: ControlPlane/Gateways).
        // Locally the control plane runs a proxy per Gateway when it knows the gateway program
        // (ControlPlane:Gateways:Program; the AppHost sets it). On Kubernetes, pods are not its to start.
        services.AddOptions<GatewayProxyOptions>()
            .Bind(builder.Configuration.GetSection(GatewayProxyOptions.SectionName))
            .Validate(o => o.PrivilegedPortOffset is >= 1024 and <= 64511, "ControlPlane:Gateways:PrivilegedPortOffset must be 1024..64511 (port 1023 plus it must be a port)")
            .Validate(o => o.RestartDelay > TimeSpan.Zero, "ControlPlane:Gateways:RestartDelay must be positive")
            .ValidateOnStart();
        if (!KubernetesServiceCollectionExtensions.IsKubernetesMode(builder.Configuration))
        {
            services.AddSingleton<IControlPlaneEndpoint, ListenerControlPlaneEndpoint>();
            services.AddSingleton<LocalGatewayRunner>();
            services.AddSingleton<IGatewayAddresses>(sp => sp.GetRequiredService<LocalGatewayRunner>());
            services.AddHostedService(sp => sp.GetRequiredService<LocalGatewayRunner>());
        }

        services.TryAddSingleton<IGatewayAddresses>(NoGatewayAddresses.Instance);
        services.AddSingleton<GatewayApiStatus>();
        services.AddSingleton<AdminToken>();
        services.AddSingleton<ProxyExplainClient>();
        builder.AddMeshConsole();
        builder.AddMeshControlPlaneMetrics();
        services.AddHostedService<StartupReporter>();

        ControlPlaneTelemetry.Add(builder);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        return builder;
    }

    private static string DataDirectory(IServiceProvider services) =>
        Path.GetFullPath(services.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.DataDirectory);
}
