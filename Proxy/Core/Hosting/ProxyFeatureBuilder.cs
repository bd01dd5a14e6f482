using System.Diagnostics.CodeAnalysis;
using Mesh.Proxy.Core.Admin;
using Mesh.Proxy.Core.Discovery;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Core.Yarp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Transforms;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// What a feature module registers (<see cref="IProxyFeatureModule.Register"/>): services, its
/// snapshot translator and its contributions to the pipeline stages, each checked against the
/// stage's kind at start-up.
/// </summary>
public sealed class ProxyFeatureBuilder
{
    internal ProxyFeatureBuilder(string name, IServiceCollection services, IConfiguration configuration, ILoggingBuilder logging)
    {
        Name = name;
        Services = services;
        Configuration = configuration;
        Logging = logging;
    }

    /// <summary>The module's name (its type name), for diagnostics.</summary>
    public string Name { get; }

    public IServiceCollection Services { get; }

    public IConfiguration Configuration { get; }

    public ILoggingBuilder Logging { get; }

    /// <summary>The feature's snapshot translator (a singleton), called for every snapshot.</summary>
    public ProxyFeatureBuilder AddTranslator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, IFeatureTranslator
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton<IFeatureTranslator>(sp => sp.GetRequiredService<T>());
        return this;
    }

    /// <summary>A middleware class (<c>InvokeAsync(HttpContext)</c>, created once) at a middleware stage.</summary>
    public ProxyFeatureBuilder AddMiddleware<[DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)] T>(ProxyStage stage)
        where T : class
        => AddStage(stage, ProxyStageKind.Middleware, typeof(T), register: false);

    public ProxyFeatureBuilder AddRequestTransform<[DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)] T>(ProxyStage stage)
        where T : RequestTransform
        => AddStage(stage, ProxyStageKind.RequestTransform, typeof(T), register: true);

    public ProxyFeatureBuilder AddResponseTransform<[DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)] T>(ProxyStage stage)
        where T : ResponseTransform
        => AddStage(stage, ProxyStageKind.ResponseTransform, typeof(T), register: true);

    public ProxyFeatureBuilder AddResponseTrailersTransform<[DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)] T>(ProxyStage stage)
        where T : ResponseTrailersTransform
        => AddStage(stage, ProxyStageKind.ResponseTrailersTransform, typeof(T), register: true);

    /// <summary>An observer of completed requests (<see cref="ProxyStage.Completed"/>).</summary>
    public ProxyFeatureBuilder AddObserver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, IMeshRequestObserver
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton<IMeshRequestObserver>(sp => sp.GetRequiredService<T>());
        return this;
    }

    /// <summary>A connection stage of every listener, at its place in <see cref="ListenerStage"/>.</summary>
    public ProxyFeatureBuilder AddListenerStage<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(ListenerStage stage)
        where T : class, IListenerConfigurator
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton(new ListenerStageRegistration(stage, typeof(T), Name));
        return this;
    }

    /// <summary>A network filter of the L4 proxy (e.g. authorization), at its place in <see cref="NetworkStage"/>.</summary>
    public ProxyFeatureBuilder AddNetworkFilter<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(NetworkStage stage)
        where T : class, Network.INetworkFilter
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton(new NetworkStageRegistration(stage, typeof(T), Name));
        return this;
    }

    /// <summary>An observer of the connections the L4 proxy serves (<see cref="NetworkStage.Observers"/>).</summary>
    public ProxyFeatureBuilder AddTcpSessionObserver<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, Network.ITcpSessionObserver
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton(new NetworkStageRegistration(NetworkStage.Observers, typeof(T), Name));
        return this;
    }

    /// <summary>An endpoint of the admin listener (<c>/stats</c>, <c>/certs</c>, ...).</summary>
    public ProxyFeatureBuilder AddAdminEndpoint<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, IAdminEndpoint
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton<IAdminEndpoint>(sp => sp.GetRequiredService<T>());
        return this;
    }

    /// <summary>
    /// The feature's explanation of its stage for <c>POST /explain</c> (<see cref="Explain.IRequestExplainer"/>):
    /// the same decisions its stage makes, recorded with their reasons. Costs nothing per request.
    /// </summary>
    public ProxyFeatureBuilder AddExplainer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, Explain.IRequestExplainer
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton<Explain.IRequestExplainer>(sp => sp.GetRequiredService<T>());
        return this;
    }

    /// <summary>Work that must succeed before a translated snapshot is served (e.g. a workload certificate in hand).</summary>
    public ProxyFeatureBuilder AddSnapshotGate<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, ISnapshotGate
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton<ISnapshotGate>(sp => sp.GetRequiredService<T>());
        return this;
    }

    /// <summary>Shapes every upstream HTTP client (cluster clients and the passthrough client).</summary>
    public ProxyFeatureBuilder AddUpstreamClientConfigurator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : class, IUpstreamClientConfigurator
    {
        Services.TryAddSingleton<T>();
        Services.AddSingleton<IUpstreamClientConfigurator>(sp => sp.GetRequiredService<T>());
        return this;
    }

    private ProxyFeatureBuilder AddStage(ProxyStage stage, ProxyStageKind kind, [DynamicallyAccessedMembers(ProxyStageRegistration.MiddlewareMembers)] Type implementation, bool register)
    {
        ProxyPipeline.EnsureKind(stage, kind);
        if (register)
        {
            Services.TryAddSingleton(implementation);
        }

        Services.AddSingleton(new ProxyStageRegistration(stage, implementation, Name));
        return this;
    }
}
