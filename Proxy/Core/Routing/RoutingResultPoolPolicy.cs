using Microsoft.Extensions.ObjectPool;

namespace Mesh.Proxy.Core.Routing;

internal sealed class RoutingResultPoolPolicy : IPooledObjectPolicy<RoutingResult>
{
    public RoutingResult Create() => new();

    public bool Return(RoutingResult obj)
    {
        obj.Reset();
        return true;
    }
}
