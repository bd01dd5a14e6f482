using Microsoft.Extensions.ObjectPool;

namespace Mesh.Proxy.Telemetry;

internal sealed class TelemetryRequestFeaturePoolPolicy : IPooledObjectPolicy<TelemetryRequestFeature>
{
    public TelemetryRequestFeature Create() => new();

    public bool Return(TelemetryRequestFeature obj)
    {
        obj.Reset();
        return true;
    }
}
