using Mesh.Proxy.Telemetry.Labels;
using Mesh.Proxy.Telemetry.Peers;

namespace Mesh.Proxy.Telemetry.Stats;

/// <summary>Who called whom, as the mesh console draws it: one edge of the service graph seen by one reporter.</summary>
internal sealed record EdgeKey(
    Reporter Reporter,
    string SourceWorkload,
    string SourceNamespace,
    string SourceApp,
    string SourceVersion,
    string DestinationWorkload,
    string DestinationNamespace,
    string DestinationApp,
    string DestinationVersion,
    string DestinationService,
    RequestProtocol Protocol,
    SecurityPolicy SecurityPolicy)
{
    public static EdgeKey Create(Reporter reporter, WorkloadPeer source, WorkloadPeer destination, string service, RequestProtocol protocol, SecurityPolicy policy) =>
        new(reporter, source.Workload, source.Namespace, source.App, source.Version,
            destination.Workload, destination.Namespace, destination.App, destination.Version, service, protocol, policy);
}
