using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Core.Routing;

/// <summary>One compiled route of a virtual host (VirtualService http[] entry, as resolved by the control plane).</summary>
public sealed class HttpRouteModel
{
    public HttpRouteModel(string name, RouteMatchModel[] matches, RouteActionModel? action)
    {
        Name = name;
        Matches = matches;
        Action = action;
    }

    public string Name { get; }

    /// <summary>"&lt;name&gt;.&lt;namespace&gt;" of the VirtualService, for diagnostics and telemetry.</summary>
    public string? VirtualService { get; init; }

    /// <summary>OR of match blocks; empty matches every request.</summary>
    public RouteMatchModel[] Matches { get; }

    /// <summary>Where the route forwards to; null for routes that answer themselves (redirect, direct response), whose filter replies.</summary>
    public RouteActionModel? Action { get; }

    /// <summary>What features compiled for this route (header operations, rewrites, CORS...).</summary>
    public FeatureModels FeatureModels { get; init; } = FeatureModels.Empty;

    /// <summary>
    /// The route's filters in pipeline order (ProxyStage), run by the router before it picks the
    /// cluster; empty for most routes, so they cost nothing.
    /// </summary>
    public IRouteFilter[] Filters { get; init; } = [];

    public bool IsMatch(HttpRequest request, int servicePort)
    {
        var matches = Matches;
        if (matches.Length == 0)
        {
            return true;
        }

        for (var i = 0; i < matches.Length; i++)
        {
            if (matches[i].Matches(request, servicePort))
            {
                return true;
            }
        }

        return false;
    }
}
