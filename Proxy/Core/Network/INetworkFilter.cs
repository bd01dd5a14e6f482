namespace Mesh.Proxy.Core.Network;

/// <summary>
/// A network filter of the L4 proxy (<see cref="Pipeline.NetworkStage"/>), asked once per connection
/// before the upstream is dialled. Returning false closes the connection (the filter logs why and
/// sets <see cref="TcpProxySession.CloseReason"/>).
/// </summary>
public interface INetworkFilter
{
    ValueTask<bool> OnConnectionAsync(TcpProxySession session, CancellationToken cancellationToken);
}
