using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Proxy.Core.Listeners;

/// <summary>
/// Extension point for how a listener accepts connections, called once per listener while
/// Kestrel is configured (after the mesh tagged connections with their listener). Mesh mTLS
/// plugs in here: <c>options.UseHttps(...)</c> with client certificates on inbound listeners.
/// Register implementations in DI; they run in registration order.
/// </summary>
public interface IListenerConfigurator
{
    void Configure(MeshListener listener, ListenOptions options);
}
