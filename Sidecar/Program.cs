// The sidecar: the mesh proxy core in sidecar mode (inbound listeners to the local app,
// outbound listeners and an optional HTTP_PROXY catch-all for its upstreams) with the features a
// sidecar serves (with the DNS proxy). "capture install|remove|show" installs transparent capture instead (docs/capture.md).
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Hosting;
using Mesh.Proxy.Dns;
using Mesh.Proxy.L4;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Traffic;
using Mesh.Sidecar.Capture;

if (args.Length > 0 && args[0] == CaptureCommand.Verb)
{
    return CaptureCommand.Run(args[1..], Console.Out, Console.Error);
}

return MeshProxyProgram.Run(args, MeshProxyMode.Sidecar, proxy => proxy
    .AddFeature<SecurityFeature>()
    .AddFeature<TrafficFeature>()
    .AddFeature<TelemetryFeature>()
    .AddFeature<L4Feature>()
    .AddFeature<DnsFeature>());
