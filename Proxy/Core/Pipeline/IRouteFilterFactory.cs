using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Builds the <see cref="IRouteFilter"/> a snapshot route needs, or null when the route does not
/// use the factory's feature. Register implementations in DI; they run in registration order.
/// A factory may throw <see cref="ArgumentException"/> to reject the snapshot (NACK) with its message.
/// </summary>
public interface IRouteFilterFactory
{
    IRouteFilter? Create(Route route);
}
