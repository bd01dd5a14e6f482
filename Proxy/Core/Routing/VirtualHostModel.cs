using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Routing;

/// <summary>A set of routes reached by authority; the first matching route wins.</summary>
public sealed class VirtualHostModel
{
    public VirtualHostModel(string name, int port, IReadOnlyList<string> domains, HttpRouteModel[] routes)
    {
        Name = name;
        Port = port;
        Domains = domains;
        Routes = routes;
    }

    public string Name { get; }

    /// <summary>Service port (sidecar) or Gateway server port (gateway).</summary>
    public int Port { get; }

    public IReadOnlyList<string> Domains { get; }

    public HttpRouteModel[] Routes { get; }

    public string? GatewayServer { get; init; }

    /// <summary>Envoy's require_tls (a Gateway server's httpsRedirect): plaintext requests get a 301 to https.</summary>
    public bool RequireTls { get; init; }

    public HttpRouteModel? FindRoute(HttpRequest request)
    {
        var routes = Routes;
        for (var i = 0; i < routes.Length; i++)
        {
            if (routes[i].IsMatch(request, Port))
            {
                return routes[i];
            }
        }

        return null;
    }

    public override string ToString() => Name;
}
