using Mesh.Proxy.Core.Routing;

namespace Mesh.Proxy.Gateway;

/// <summary>A TLS server of a gateway listener and the virtual hosts reachable through it.</summary>
internal sealed record GatewayServerRoutes(GatewayServerModel Server, DomainTable Hosts);
