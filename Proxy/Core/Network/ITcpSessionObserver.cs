namespace Mesh.Proxy.Core.Network;

/// <summary>
/// Observes the connections the L4 proxy serves (<see cref="Pipeline.NetworkStage.Observers"/>):
/// <see cref="OnOpened"/> once the upstream is connected (or could not be: flags say why),
/// <see cref="OnClosed"/> when both sides are done. Called on the connection's path: do not block.
/// A connection refused by a network filter or routed nowhere is reported by <see cref="OnClosed"/> only.
/// </summary>
public interface ITcpSessionObserver
{
    void OnOpened(TcpProxySession session);

    void OnClosed(TcpProxySession session);
}
