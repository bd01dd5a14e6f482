namespace Mesh.Proxy.Core.Routing;

/// <summary>Holds the current <see cref="RoutingModel"/>; publishing is a single atomic reference swap.</summary>
public sealed class RoutingState
{
    private RoutingModel? _current;

    /// <summary>Null until the first snapshot has been applied.</summary>
    public RoutingModel? Current => Volatile.Read(ref _current);

    /// <summary>Raised on the applying thread right after a model is published (the gateway opens its live listeners).</summary>
    internal event Action<RoutingModel>? Published;

    internal void Publish(RoutingModel model)
    {
        Volatile.Write(ref _current, model);
        Published?.Invoke(model);
    }
}
