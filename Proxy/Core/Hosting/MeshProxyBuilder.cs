using Microsoft.AspNetCore.Builder;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>The proxy being configured (returned by <c>AddMeshProxy</c>): add the features the host serves.</summary>
public sealed class MeshProxyBuilder
{
    private readonly HashSet<Type> _features = [];

    internal MeshProxyBuilder(WebApplicationBuilder host)
    {
        Host = host;
    }

    public WebApplicationBuilder Host { get; }

    /// <summary>Registers a feature module (once; a second registration of the same module is an error).</summary>
    public MeshProxyBuilder AddFeature<TModule>()
        where TModule : IProxyFeatureModule, new()
        => AddFeature(new TModule());

    /// <inheritdoc cref="AddFeature{TModule}()"/>
    public MeshProxyBuilder AddFeature(IProxyFeatureModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var type = module.GetType();
        if (!_features.Add(type))
        {
            throw new InvalidOperationException($"The proxy feature {type.Name} is registered twice.");
        }

        module.Register(new ProxyFeatureBuilder(type.Name, Host.Services, Host.Configuration, Host.Logging));
        return this;
    }
}
