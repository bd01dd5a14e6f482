using Microsoft.Extensions.ObjectPool;

namespace Mesh.Proxy.Core.Pipeline;

internal sealed class MeshRequestFeaturePoolPolicy : IPooledObjectPolicy<MeshRequestFeature>
{
    public MeshRequestFeature Create() => new();

    public bool Return(MeshRequestFeature obj)
    {
        obj.Reset();
        return true;
    }
}
