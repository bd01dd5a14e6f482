using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Core.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Warning, "Listener {Name} (port {Port}) is configured but not served: {Reason}.")]
    public static partial void ListenerNotServed(ILogger logger, string name, int port, string reason);
}
