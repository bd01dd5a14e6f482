using Microsoft.Extensions.Configuration;

namespace Mesh.Proxy.Core.Hosting;

/// <summary>
/// The Kestrel configuration section of the live gateway listeners (<c>Endpoints:&lt;name&gt;:Url</c>):
/// replacing its content raises the reload Kestrel rebinds its configured endpoints on.
/// </summary>
internal sealed class LiveListenerConfiguration
{
    private readonly Provider _provider = new();

    public LiveListenerConfiguration()
    {
        Root = new ConfigurationRoot([_provider]);
    }

    public IConfigurationRoot Root { get; }

    /// <summary>Endpoint name → URL.</summary>
    public void Set(IReadOnlyDictionary<string, string> endpoints) => _provider.Replace(endpoints);

    private sealed class Provider : ConfigurationProvider
    {
        public void Replace(IReadOnlyDictionary<string, string> endpoints)
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, url) in endpoints)
            {
                data[$"Endpoints:{name}:Url"] = url;
            }

            Data = data;
            OnReload();
        }
    }
}
