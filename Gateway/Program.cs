// The ingress gateway: the mesh proxy core in gateway mode (listeners from
// Mesh:Gateway:Listeners, virtual hosts of the Gateway servers selecting it, by Host) with the
// features a gateway serves.
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.L4;
using Mesh.Proxy.Gateway;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;

return MeshProxyProgram.Run(args, MeshProxyMode.Gateway, proxy => proxy
    .AddFeature<SecurityFeature>()
    .AddFeature<TrafficFeature>()
    .AddFeature<TelemetryFeature>()
    .AddFeature<L4Feature>()
    .AddFeature<GatewayFeature>());
