using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Core.Translation;
using Mesh.Proxy.Security;
using Mesh.Proxy.Telemetry;
using Mesh.Proxy.Telemetry.Model;
using Mesh.Proxy.Telemetry.Stats;
using Mesh.Proxy.Traffic;
using Mesh.Proxy.Traffic.Mirroring;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Benchmarks;

/// <summary>productpage's sidecar as the proxy sees it: its listeners, its snapshot, its routing model.</summary>
public sealed class ProxyFixture
{
    public ProxyFixture(int fillerServices, int replicas)
    {
        var options = new MeshProxyOptions
        {
            Mode = MeshProxyMode.Sidecar,
            Node = new NodeOptions { Workload = "productpage-v1" },
            Outbound = [new OutboundBindingOptions { Host = "reviews", Port = BenchMesh.ServicePort, ListenPort = 15001 }],
        };
        Listeners = ListenerSet.Create(options);
        // The sidecar's translation: Core's plus the parts of the features a sidecar registers.
        Translator = new SnapshotTranslator(
            Listeners,
            Options.Create(options),
            Array.Empty<IRouteFilterFactory>(),
            [
                new SecurityTranslator(Listeners),
                new TrafficTranslator(TimeProvider.System, new MirrorSender(NullLogger<MirrorSender>.Instance), new TrafficStateRegistry()),
                new TelemetryTranslator(Options.Create(options), Listeners, new EdgeStatsRegistry()),
            ]);
        Snapshot = SnapshotBuilder.Build(BenchMesh.Inputs(fillerServices, replicas), BenchMesh.ProductPage);
        var result = Translator.Translate(Snapshot);
        Model = result.Model ?? throw new InvalidOperationException("the benchmark snapshot was rejected: " + string.Join("; ", result.Errors.ToString()));
        var outbound = Listeners.OfKind(ListenerKind.Outbound).Single();
        Reviews = Model.Listeners[outbound.Index].BoundVirtualHost ?? throw new InvalidOperationException("reviews is not bound");
    }

    public ListenerSet Listeners { get; }

    internal SnapshotTranslator Translator { get; }

    public ProxySnapshot Snapshot { get; }

    public RoutingModel Model { get; }

    public VirtualHostModel Reviews { get; }
}
